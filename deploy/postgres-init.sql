-- One database per service: each owns its schema and its Alembic history.
CREATE DATABASE haru_auth;
CREATE DATABASE haru_calendar;
CREATE DATABASE haru_router;

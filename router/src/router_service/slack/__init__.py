"""The Slack channel: Events API and interactivity in, a durable delivery queue out."""

"""Korean NLU: one chat message → intent and slots (see docs/nlu.md). Imports nothing."""

"""The check suite and its engine: checks as data (suite/*.yaml), kinds as plug-ins (kinds/), batches (engine)."""

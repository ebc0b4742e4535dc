"""Prefect flows: wiring only."""


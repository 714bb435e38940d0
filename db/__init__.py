"""Postgres: models, engine and session scopes, repositories."""

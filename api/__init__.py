"""The ways in: FastAPI app, routes, schemas, the CLI, intake and the local stack."""

"""Data access layer: PynamoDB models and the few DynamoDB operations the logic needs."""

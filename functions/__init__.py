"""Lambda runtime code of helpline-blueprint.

Layering: ``handlers`` (thin entry points) -> ``logic`` (rules) -> ``dal`` (PynamoDB).
Nothing here imports aws_cdk or the ``helpline`` tooling package.
"""

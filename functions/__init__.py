"""Lambda runtime code of helpline-blueprint.

Layering (docs/functions.md; tests/unit/functions/test_layers.py): ``handlers`` (thin entry points)
-> ``logic`` (rules) -> ``dal`` (PynamoDB and every AWS client call) -> the platform (``aws``,
``deadline``, ``observability``) -> ``settings`` -> ``models`` (parsing) -> ``errors`` and
``permissions``.  Nothing here imports aws_cdk or the ``helpline`` tooling package.
"""

"""The pydantic model of a parameter :class:`~functions.models.lean.Spec`, derived from its fields:
the error path of flow Parameters and the reference the pydantic-free parser is checked against
(tests/unit/functions/test_fn_lean_parsing.py).  Unknown parameters are ignored; a violation
answers ``status=invalid_parameter`` with ``error_field`` naming the first offending parameter
(functions.logic.common.parse_params).  Each logic module declares its Spec (``PARAMS``): there is
no model to write by hand.

A field becomes ``name: <type> = pydantic.Field(default, pattern, ge, le, max_length)`` with its
``before`` function as a ``mode="before"`` field validator; every model strips whitespace from its
strings (``str_strip_whitespace``) and is frozen.  Kinds: "str" -> str, "opt_str" -> str | None,
"bool" -> bool, "int" -> int, "literal" -> Literal[choices].
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, create_model, field_validator
from pydantic import Field as ModelField

from functions.models.lean import REQUIRED, Field, Spec

_TYPES: dict[str, Any] = {"str": str, "opt_str": str | None, "bool": bool, "int": int}
_models: dict[Spec, type[BaseModel]] = {}


class _Params(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


def _definition(field: Field) -> tuple[Any, Any]:
    kind = Literal[field.choices] if field.kind == "literal" else _TYPES[field.kind]
    rules = {"pattern": field.pattern, "ge": field.ge, "le": field.le, "max_length": field.max_length}
    default = ... if field.default is REQUIRED else field.default
    return kind, ModelField(default, **{k: v for k, v in rules.items() if v is not None})


def model_for(spec: Spec) -> type[BaseModel]:
    """The pydantic model of ``spec`` (built once; its name is ``spec.name``)."""
    model = _models.get(spec)
    if model is None:
        validators = {
            f"_before_{f.name}": field_validator(f.name, mode="before")(f.before) for f in spec.fields if f.before
        }
        model = _models[spec] = create_model(
            spec.name,
            __base__=(spec.mixin, _Params) if spec.mixin else _Params,
            __validators__=validators,
            **{f.name: _definition(f) for f in spec.fields},
        )
    return model

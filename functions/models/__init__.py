"""Event, parameter and settings parsing, no AWS imports: the pydantic-free parsers of the hot path
(:mod:`functions.models.lean`), the pydantic models of the error path (:mod:`~functions.models.connect`,
:mod:`~functions.models.contact_event`; a logic module's parameter model is derived from its Spec
by :mod:`~functions.models.params`), the two put together (:mod:`~functions.models.events`), and the
needs-code vocabulary (:mod:`~functions.models.needs`)."""

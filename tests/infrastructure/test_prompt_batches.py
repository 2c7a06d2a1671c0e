"""Prompts are created in batches of at most PROMPT_BATCH, each batch after the whole batch before.

CreatePrompt is throttled per account and Region (2 per second, burst 5 by default; see the
comment on PROMPT_BATCH in stacks/constructs/telephony.py): ~50 prompts created at once would
exceed it.
"""

from __future__ import annotations

import pytest

from helpline.config import load_country
from stacks.constructs.telephony import PROMPT_BATCH
from tests.infrastructure.conftest import resources
from tests.infrastructure.test_first_deploy import _telephony_only

pytestmark = pytest.mark.xdist_group("infra")


def _batches(raw: dict) -> list[set[str]]:
    """The prompts grouped by how many batches come before them, checked to form one chain."""
    prompts = resources(raw, "AWS::Connect::Prompt")
    needs = {pid: set(p.get("DependsOn", [])) & set(prompts) for pid, p in prompts.items()}
    batches = [{pid for pid, deps in needs.items() if not deps}]
    placed = set(batches[0])
    while placed != set(prompts):
        nxt = {pid for pid, deps in needs.items() if pid not in placed and deps == batches[-1]}
        assert nxt, f"prompts outside the chain: {sorted(set(prompts) - placed)}"
        batches.append(nxt)
        placed |= nxt
    return batches


def _assert_chained(raw: dict) -> None:
    prompts = resources(raw, "AWS::Connect::Prompt")
    batches = _batches(raw)
    assert sum(len(b) for b in batches) == len(prompts)  # the chain covers every prompt
    assert max(len(b) for b in batches) <= PROMPT_BATCH
    assert len(batches) == -(-len(prompts) // PROMPT_BATCH)  # full batches: no needless waits


def test_every_countrys_prompts_are_created_in_bounded_batches(country):
    """Whatever the count: a country speaking only with Polly voices has just its hold music (one batch)."""
    assert resources(country.raw, "AWS::Connect::Prompt")
    _assert_chained(country.raw)


def test_the_chain_holds_for_the_prompts_the_flows_ask_for(tmp_path):
    """Fast: the Telephony construct alone, asked for every recorded prompt as the flows do."""
    from aws_cdk.assertions import Template

    cfg = load_country("pl")
    stack, telephony = _telephony_only(tmp_path, cfg)
    for lang in (lg.code for lg in cfg.languages if lg.recorded):
        for prompt_id in cfg.spoken(lang):
            telephony.prompt(lang, prompt_id)
    raw = Template.from_stack(stack).to_json()
    assert len(resources(raw, "AWS::Connect::Prompt")) > 2 * PROMPT_BATCH
    _assert_chained(raw)

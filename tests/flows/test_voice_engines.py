"""Every Set voice names the engine its voice speaks with (Amazon Polly's voice table): Connect's
UpdateContactTextToSpeechVoice "results in error if ... the selected voice does not support the selected engine",
so a neural-only voice (Hala, Jitka, Ola ...) left on the default engine would speak nothing."""

from __future__ import annotations

import copy

import pytest
import yaml

from helpline.config import country_files, load_country
from helpline.config.reference import LANGUAGES, NEURAL, POLLY_ENGINES, STANDARD
from helpline.flows.render import render_local
from helpline.flows.simulate import Simulator
from tests.unit.written_countries import chad

DAY = "2026-03-02T10:30"  # a Monday morning: open


def _set_voice_actions(flows):
    for name, flow in flows.items():
        for action in flow.content["Actions"]:
            if action["Type"] == "UpdateContactTextToSpeechVoice":
                yield name, action["Identifier"], action["Parameters"]


def test_every_voice_a_country_may_choose_has_its_engines_listed():
    assert {v for info in LANGUAGES.values() for v in info.polly_voices} == set(POLLY_ENGINES)


@pytest.mark.parametrize("code", sorted(p.stem for p in country_files()))
def test_every_set_voice_of_a_shipped_country_names_an_engine_its_voice_has(code):
    flows, _ = render_local(load_country(code))
    found = list(_set_voice_actions(flows))
    assert found, "a country with Polly voices sets them"
    for name, ident, params in found:
        assert params["TextToSpeechEngine"] in POLLY_ENGINES[params["TextToSpeechVoice"]], (name, ident)
        # where the voice has the standard engine, callers keep hearing it
        if STANDARD in POLLY_ENGINES[params["TextToSpeechVoice"]]:
            assert params["TextToSpeechEngine"] == STANDARD


def _chad_with_voice(tmp_path, voice: str):
    path = chad(tmp_path)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(lang for lang in doc["languages"] if lang["code"] == "ar")["voice"] = voice
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_country(path)


def test_a_neural_only_voice_is_set_with_the_neural_engine_and_speaks(tmp_path):
    cfg = _chad_with_voice(tmp_path, "Hala")  # Gulf Arabic: neural only
    flows, resolver = render_local(cfg)
    engines = {p["TextToSpeechEngine"] for _, _, p in _set_voice_actions(flows) if p["TextToSpeechVoice"] == "Hala"}
    assert engines == {NEURAL}
    result = Simulator(cfg, flows=flows, resolver=resolver).call(lang="ar", presses=["-", "0"], at=DAY)
    assert result.safe and result.answered


def test_without_the_engine_a_neural_only_voice_takes_the_error_branch(tmp_path):
    """The converse, as Connect documents it: drop the engine and the Set voice action errors (the voice stays
    unset), which the simulator shows as the NoMatchingError branch being taken."""
    cfg = _chad_with_voice(tmp_path, "Hala")
    flows, resolver = render_local(cfg)
    broken = copy.deepcopy(flows)
    for _, _, params in _set_voice_actions(broken):
        params.pop("TextToSpeechEngine")
    result = Simulator(cfg, flows=broken, resolver=resolver).call(lang="ar", presses=["-", "0"], at=DAY)
    voice_errors = {t for t in result.transitions if "voice" in t[1] and "NoMatchingError" in t[2]}
    assert voice_errors, sorted(t for t in result.transitions if "voice" in t[1])
    good = Simulator(cfg, flows=flows, resolver=resolver).call(lang="ar", presses=["-", "0"], at=DAY)
    assert not {t for t in good.transitions if "voice" in t[1] and "NoMatchingError" in t[2]}

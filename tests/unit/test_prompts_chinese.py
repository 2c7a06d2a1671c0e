"""Mandarin Chinese (zh), one of the six UN working languages, is a language a country can offer: a
country file written with `helpline new-country` and translated validates, its flows speak with the
Amazon Polly Mandarin voice and analyse the call in Chinese, its operators get the shipped Chinese
guide, and a country that records its Chinese prompts gets placeholders in espeak-ng's Mandarin voice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import load_country
from helpline.config.gate import check_country
from helpline.flows.render import render_local
from helpline.guide import labels
from helpline.prompts import check_prompts, required_prompts, write_placeholders
from helpline.prompts.audio import read_wav, ulaw_wav
from helpline.scaffold import country_document, write_country
from tests.unit.test_prompts_languages import is_phone_speech
from tests.unit.written_countries import _countries, _fill

runner = CliRunner()

# Simplified Chinese, as a Mandarin speaker reads it aloud: the required messages, the hours, the
# names of the two languages (the operators work in Chinese) and the six standard topics.
CHINESE = {
    "language_option": "中文服务，请按{digit}。",
    "welcome": "欢迎致电难民求助热线。本次通话免费并且保密。",
    "privacy_notice": "为了更好地帮助您，本次通话可能会被录音。未经您的同意，我们不会分享您的信息，"
    "您的电话号码只以加密形式保存。您可以要求我们删除您的数据。",
    "emergency_notice": "如果您或您身边的人有危险，请挂断电话并拨打{emergency_number}。"
    "如需就安全问题立即与接线员通话，请按{emergency_digit}。",
    "main_menu": "了解信息，请按1。举报有危险的人，请按2。提出意见或投诉，请按3。与接线员通话，请按0。",
    "topics_menu_intro": "请选择一个主题。",
    "after_info": "再听一遍，请按1。返回菜单，请按2。与接线员通话，请按0。",
    "report_risk": "感谢您举报有危险的人。我们正在为您转接接线员。您所说的一切都将保密。",
    "feedback": "感谢您的意见、问题或投诉。接线员会记录下来，我们会告诉您处理结果。"
    "关于援助人员行为的投诉将单独并保密处理。",
    "closed": "热线现在不开放。我们的服务时间是{hours}。如果您有危险，请拨打{emergency_number}。",
    "closed_holiday": "热线今天因节假日不开放，将在平时的服务时间{hours}重新开放。"
    "如果您有危险，请拨打{emergency_number}。",
    "callback_offer": "如需我们在服务时间内给您回电，请按1。结束通话，请按2。",
    "callback_confirmed": "谢谢。我们会在服务时间内拨打这个号码给您回电。",
    "transfer": "请不要挂机。我们正在为您转接接线员。",
    "transfer_priority": "我们正在为您优先转接接线员。请不要挂机。",
    "queue_hold": "所有接线员现在都在忙。请不要挂机，下一位空闲的接线员会接听您的电话。"
    "如果您有危险，请拨打{emergency_number}。",
    "queue_callback_offer": "如不想等待，希望我们给您回电，请按1。",
    "invalid_input": "对不起，没有这个选项。",
    "no_input": "我们没有收到您的选择。",
    "technical_problem": "对不起，我们遇到了技术问题。我们正在为您转接接线员。",
    "blocked": "我们现在无法接听您的电话。如果您有危险，请拨打{emergency_number}。",
    "goodbye": "感谢您的来电。如果您有危险，请拨打{emergency_number}。再见。",
    "whisper_language": "来电者的语言：{caller_language}。",
    "whisper_priority": "优先来电。",
    "whisper_returning": "有未结案件的再次来电者。",
    "queue_full": "所有接线员都在忙，我们现在无法让您排队等候。如果您有危险，请拨打{emergency_number}。请稍后再打来。",
    "callback_failed": "对不起，我们无法为您安排回电。如果您有危险，请拨打{emergency_number}。",
    "emergency_closed": "我们的接线员现在无法接听。如果您或您身边的人有危险，请立即拨打{emergency_number}："
    "这个号码日夜都有人接听。您也可以前往最近的派出所或医院。",
    "language_name_zh": "中文",
    "language_name_en": "英语",
    "hours": "星期一至星期五，上午九点到下午五点",
    "topic_menu": "了解{subject}，请按{digit}。",
    "topic_info": "关于{subject}您需要知道的事情：去哪里、带什么、要花多少钱。紧急情况下，请拨打{emergency_number}。",
}
CHINESE_TOPICS = {
    "health": "医疗保健",
    "education": "教育和幼儿园",
    "employment": "工作",
    "housing": "住房",
    "legal": "法律援助和证件",
    "cash": "现金援助",
}


def _new_country(folder: Path) -> dict:
    """What `helpline new-country sg --languages zh,en ...` writes."""
    return country_document(
        "sg", name="Singapore", languages=["zh", "en"], time_zone="Asia/Singapore", hours=["mon-fri 09:00-17:00"],
        region="ap-southeast-1", emergency_number="999", regions=["central", "east", "west"], countries_dir=folder,
    )  # fmt: skip


def mandarin_country(tmp: Path, *, recorded: bool = False) -> Path:
    """``<tmp>/countries/sg.yaml``: Mandarin Chinese first (Amazon Polly, or recorded), then English;
    the operators work in Chinese."""
    folder = _countries(tmp)
    doc = _new_country(folder)
    _fill(doc, {"zh": CHINESE}, {"zh": CHINESE_TOPICS})
    doc["operators"] = {"language": "zh"}
    if recorded:
        doc["languages"][0] = {"code": "zh", "digit": "1", "recorded": True}
    return write_country(doc, countries_dir=folder, force=True)  # a scratch country, whatever countries/ holds


def test_new_country_offers_mandarin_with_the_polly_mandarin_voice(tmp_path):
    doc = _new_country(_countries(tmp_path))
    assert doc["languages"][0] == {"code": "zh", "digit": "1", "voice": "Zhiyu"}
    assert doc["messages"]["zh"]["language_option"].endswith("For Mandarin Chinese, press {digit}.")


def test_a_country_file_offering_mandarin_validates(tmp_path):
    path = mandarin_country(tmp_path)
    report = check_country("sg", countries_dir=path.parent)
    assert report.errors == [] and report.warnings == []
    r = runner.invoke(app, ["validate", "sg"], env={**os.environ, "HELPLINE_COUNTRIES_DIR": str(path.parent)})
    assert r.exit_code == 0, r.output
    assert "sg: ok (Singapore, zh, en, ap-southeast-1)" in r.stdout


def _parameters(flow, action_type: str) -> list[dict]:
    """The parameters of every action of ``action_type`` in a rendered flow."""
    actions = json.loads(flow.json())["Actions"]
    return [a["Parameters"] for a in actions if a["Type"] == action_type]


def test_mandarin_callers_hear_zhiyu_and_their_calls_are_analysed_in_chinese(tmp_path):
    cfg = load_country(mandarin_country(tmp_path))
    assert cfg.language("zh").voice == "Zhiyu" and not cfg.uses_recordings("zh")
    flow = render_local(cfg)[0]["inbound_zh"]
    assert _parameters(flow, "UpdateContactTextToSpeechVoice") == [
        {"TextToSpeechVoice": "Zhiyu", "TextToSpeechEngine": "Standard"}
    ]
    assert CHINESE["welcome"] in flow.json()  # spoken by Polly as written
    # Contact Lens analyses Chinese (zh-CN) but cannot redact it: no redaction is asked for
    (recording,) = _parameters(flow, "UpdateContactRecordingAndAnalyticsBehavior")
    analytics = recording["VoiceBehavior"]["VoiceAnalyticsBehavior"]
    assert (
        analytics["AnalyticsLanguage"] == "zh-CN" and "ConversationalAnalyticsRedactionConfiguration" not in analytics
    )


def test_operators_working_in_chinese_hear_zhiyu_and_get_the_shipped_chinese_guide(tmp_path):
    cfg = load_country(mandarin_country(tmp_path))
    flows = render_local(cfg)[0]
    assert cfg.operator_language == "zh"
    guide = flows["agent_guide"].json()
    assert [key for key, text in labels("zh").items() if text not in guide] == []
    whisper = flows["agent_whisper"]
    assert _parameters(whisper, "UpdateContactTextToSpeechVoice") == [
        {"TextToSpeechVoice": "Zhiyu", "TextToSpeechEngine": "Standard"}
    ]
    said = " ".join(p.get("Text", "") for p in _parameters(whisper, "MessageParticipant"))
    assert "来电者的语言" in said


def test_recorded_mandarin_gets_placeholders_in_espeak_ngs_mandarin_voice(tmp_path):
    cfg = load_country(mandarin_country(tmp_path, recorded=True))
    specs = required_prompts(cfg)
    assert {s.lang for s in specs} == {"zh"}
    wanted = {"welcome", "emergency_closed", "goodbye"}
    for spec in specs:
        if spec.prompt_id not in wanted:
            spec.path.parent.mkdir(parents=True, exist_ok=True)
            spec.path.write_bytes(ulaw_wav([0, 1000, -1000] * 800))
    written = write_placeholders(cfg)
    assert [p.stem for p in written] == sorted(wanted)
    for path in written:
        data = path.read_bytes()
        tags = read_wav(data).tags
        assert is_phone_speech(data) and tags["ICMT"] == cfg.spoken("zh")[path.stem]
        assert "espeak-ng voice cmn," in tags["ISFT"]  # Mandarin, not a voice reading out "Chinese letter"
    report = check_prompts(cfg)
    assert report.ok and sorted(report.placeholders) == written and not report.warnings

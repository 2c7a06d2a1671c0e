"""Countries written the way a new user writes them: `helpline new-country`, then every marked
text replaced by a real one. Myanmar (Burmese, recorded, and English) and Chad (Arabic, right to
left, and French), in a copy of the shipped countries folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from helpline.config import COUNTRIES_DIR
from helpline.config.messages import UNTRANSLATED
from helpline.scaffold import country_document, write_country

# Burmese: the required messages, the hours and the six standard topics. Burmese writes words
# without spaces between them; spaces separate phrases.
BURMESE = {
    "language_option": "မြန်မာဘာသာဖြင့် ပြောဆိုရန် {digit} ကို နှိပ်ပါ။",
    "welcome": "ဒုက္ခသည်များအတွက် အကူအညီဖုန်းလိုင်းမှ ကြိုဆိုပါသည်။ ဤဖုန်းခေါ်ဆိုမှုသည် အခမဲ့ဖြစ်ပြီး လျှို့ဝှက်ထားပါသည်။",
    "privacy_notice": "သင့်ကို ပိုမိုကူညီနိုင်ရန် ဤဖုန်းခေါ်ဆိုမှုကို မှတ်တမ်းတင်နိုင်ပါသည်။ သင့်ခွင့်ပြုချက်မရှိဘဲ "
    "သင့်အချက်အလက်များကို မျှဝေမည်မဟုတ်ပါ။ သင့်ဖုန်းနံပါတ်ကို ကုဒ်ဝှက်ထားသောပုံစံဖြင့်သာ သိမ်းဆည်းပါသည်။ "
    "သင့်အချက်အလက်များကို ဖျက်ပေးရန် တောင်းဆိုနိုင်ပါသည်။",
    "emergency_notice": "သင် သို့မဟုတ် သင့်အနီးရှိ တစ်စုံတစ်ယောက် အန္တရာယ်ရှိနေပါက ဖုန်းချပြီး {emergency_number} ကို "
    "ခေါ်ဆိုပါ။ လုံခြုံရေးအတွက် အော်ပရေတာနှင့် ယခုချက်ချင်း စကားပြောရန် {emergency_digit} ကို နှိပ်ပါ။",
    "main_menu": "သတင်းအချက်အလက်အတွက် 1 ကို နှိပ်ပါ။ အန္တရာယ်ရှိနေသူတစ်ဦးအကြောင်း သတင်းပို့ရန် 2 ကို နှိပ်ပါ။ "
    "အကြံပြုချက် သို့မဟုတ် တိုင်ကြားချက်ပေးရန် 3 ကို နှိပ်ပါ။ အော်ပရေတာနှင့် စကားပြောရန် 0 ကို နှိပ်ပါ။",
    "topics_menu_intro": "ခေါင်းစဉ်တစ်ခုကို ရွေးချယ်ပါ။",
    "after_info": "ထပ်မံနားထောင်ရန် 1 ကို နှိပ်ပါ။ မီနူးသို့ ပြန်သွားရန် 2 ကို နှိပ်ပါ။ အော်ပရေတာနှင့် စကားပြောရန် 0 ကို နှိပ်ပါ။",
    "report_risk": "အန္တရာယ်ရှိနေသူတစ်ဦးအကြောင်း သတင်းပို့သည့်အတွက် ကျေးဇူးတင်ပါသည်။ အော်ပရေတာနှင့် ယခု "
    "ဆက်သွယ်ပေးနေပါသည်။ သင်ပြောသမျှကို လျှို့ဝှက်ထားပါမည်။",
    "feedback": "သင့်အကြံပြုချက်၊ မေးခွန်း သို့မဟုတ် တိုင်ကြားချက်အတွက် ကျေးဇူးတင်ပါသည်။ အော်ပရေတာက မှတ်တမ်းတင်မည်ဖြစ်ပြီး "
    "ဘာလုပ်ဆောင်ခဲ့သည်ကို သင့်အား ပြန်ပြောပြပါမည်။ အကူအညီလုပ်သားများ၏ အပြုအမူဆိုင်ရာ တိုင်ကြားချက်များကို "
    "သီးခြားနှင့် လျှို့ဝှက်စွာ ကိုင်တွယ်ပါသည်။",
    "closed": "အကူအညီဖုန်းလိုင်းသည် ယခု ပိတ်ထားပါသည်။ ဖွင့်ချိန်မှာ {hours} ဖြစ်ပါသည်။ အန္တရာယ်ရှိနေပါက {emergency_number} ကို ခေါ်ဆိုပါ။",
    "closed_holiday": "အကူအညီဖုန်းလိုင်းသည် ယနေ့ ရုံးပိတ်ရက်ကြောင့် ပိတ်ထားပါသည်။ ပုံမှန်ဖွင့်ချိန် {hours} တွင် ပြန်ဖွင့်ပါမည်။ "
    "အန္တရာယ်ရှိနေပါက {emergency_number} ကို ခေါ်ဆိုပါ။",
    "callback_offer": "ဖွင့်ချိန်အတွင်း ပြန်လည်ခေါ်ဆိုပေးစေလိုပါက 1 ကို နှိပ်ပါ။ ဖုန်းချရန် 2 ကို နှိပ်ပါ။",
    "callback_confirmed": "ကျေးဇူးတင်ပါသည်။ ဖွင့်ချိန်အတွင်း ဤနံပါတ်သို့ ပြန်လည်ခေါ်ဆိုပေးပါမည်။",
    "transfer": "ဖုန်းမချဘဲ စောင့်ပေးပါ။ အော်ပရေတာနှင့် ဆက်သွယ်ပေးနေပါသည်။",
    "transfer_priority": "အော်ပရေတာနှင့် ဦးစားပေး ဆက်သွယ်ပေးနေပါသည်။ ဖုန်းမချပါနှင့်။",
    "queue_hold": "အော်ပရေတာအားလုံး ယခု အလုပ်များနေပါသည်။ ဖုန်းမချဘဲ စောင့်ပေးပါ၊ အားလပ်သည့် အော်ပရေတာက ဖြေကြားပါမည်။ "
    "အန္တရာယ်ရှိနေပါက {emergency_number} ကို ခေါ်ဆိုပါ။",
    "queue_callback_offer": "မစောင့်ဘဲ ပြန်လည်ခေါ်ဆိုပေးစေလိုပါက 1 ကို နှိပ်ပါ။",
    "invalid_input": "တောင်းပန်ပါသည်၊ ထိုရွေးချယ်မှု မရှိပါ။",
    "no_input": "သင့်ရွေးချယ်မှုကို မရရှိခဲ့ပါ။",
    "technical_problem": "တောင်းပန်ပါသည်၊ နည်းပညာဆိုင်ရာ ပြဿနာတစ်ခု ရှိနေပါသည်။ အော်ပရေတာနှင့် ဆက်သွယ်ပေးနေပါသည်။",
    "blocked": "သင့်ဖုန်းကို ယခု လက်ခံ၍မရပါ။ အန္တရာယ်ရှိနေပါက {emergency_number} ကို ခေါ်ဆိုပါ။",
    "goodbye": "ခေါ်ဆိုသည့်အတွက် ကျေးဇူးတင်ပါသည်။ အန္တရာယ်ရှိနေပါက {emergency_number} ကို ခေါ်ဆိုပါ။ နှုတ်ဆက်ပါသည်။",
    "whisper_language": "ခေါ်ဆိုသူ၏ ဘာသာစကား: {caller_language}။",
    "whisper_priority": "ဦးစားပေး ဖုန်းခေါ်ဆိုမှု။",
    "whisper_returning": "ဖွင့်ထားသော အမှုတွဲရှိသည့် ပြန်လည်ခေါ်ဆိုသူ။",
    "queue_full": "အော်ပရေတာအားလုံး အလုပ်များနေပြီး ယခု တန်းစီ၍မရပါ။ အန္တရာယ်ရှိနေပါက {emergency_number} ကို ခေါ်ဆိုပါ။ နောက်မှ ထပ်မံခေါ်ဆိုပါ။",
    "callback_failed": "တောင်းပန်ပါသည်၊ ပြန်လည်ခေါ်ဆိုမှုကို စီစဉ်၍မရပါ။ အန္တရာယ်ရှိနေပါက {emergency_number} ကို ခေါ်ဆိုပါ။",
    "emergency_closed": "ကျွန်ုပ်တို့၏ အော်ပရေတာများ ယခု မရှိပါ။ သင် သို့မဟုတ် သင့်အနီးရှိ တစ်စုံတစ်ယောက် အန္တရာယ်ရှိနေပါက "
    "{emergency_number} ကို ယခုချက်ချင်း ခေါ်ဆိုပါ၊ နေ့ရော ညပါ ဖြေကြားပါသည်။ အနီးဆုံး ရဲစခန်း သို့မဟုတ် ဆေးရုံသို့လည်း "
    "သွားနိုင်ပါသည်။",
    "language_name_my": "မြန်မာ",
    "language_name_en": "အင်္ဂလိပ်",
    "hours": "တနင်္လာနေ့မှ သောကြာနေ့အထိ နံနက် 9 နာရီမှ ညနေ 5 နာရီအထိ",
    "topic_menu": "{subject}အတွက် {digit} ကို နှိပ်ပါ။",
    "topic_info": "{subject}အကြောင်း သိထားရမည့်အရာများ- ဘယ်ကိုသွားရမလဲ၊ ဘာယူသွားရမလဲ၊ ကုန်ကျစရိတ် ဘယ်လောက်လဲ။ "
    "အရေးပေါ်အခြေအနေတွင် {emergency_number} ကို ခေါ်ဆိုပါ။",
}
BURMESE_TOPICS = {
    "health": "ကျန်းမာရေးစောင့်ရှောက်မှု",
    "education": "ပညာရေးနှင့် မူကြိုကျောင်းများ",
    "employment": "အလုပ်အကိုင်",
    "housing": "နေထိုင်စရာ",
    "legal": "ဥပဒေအကူအညီနှင့် စာရွက်စာတမ်းများ",
    "cash": "ငွေသားအကူအညီ",
}

ARABIC = {
    "language_option": "للعربية، اضغط {digit}.",
    "welcome": "مرحبًا بكم في الخط الساخن للاجئين. هذه المكالمة مجانية وسرية.",
    "privacy_notice": "قد يتم تسجيل هذه المكالمة لنتمكن من مساعدتك بشكل أفضل. لا نشارك معلوماتك دون موافقتك، "
    "ويُحفظ رقم هاتفك مشفّرًا فقط. يمكنك أن تطلب حذف بياناتك.",
    "emergency_notice": "إذا كنت أنت أو أي شخص بالقرب منك في خطر، أغلق الخط واتصل بالرقم {emergency_number}. "
    "للتحدث مع موظف الآن بشأن خطر على السلامة، اضغط {emergency_digit}.",
    "main_menu": "للمعلومات، اضغط 1. للإبلاغ عن شخص في خطر، اضغط 2. لتقديم ملاحظة أو شكوى، اضغط 3. "
    "للتحدث مع موظف، اضغط 0.",
    "topics_menu_intro": "يرجى اختيار موضوع.",
    "after_info": "للاستماع مرة أخرى، اضغط 1. للعودة إلى القائمة، اضغط 2. للتحدث مع موظف، اضغط 0.",
    "report_risk": "شكرًا لإبلاغك عن شخص في خطر. نحوّلك الآن إلى موظف. كل ما تقوله يبقى سريًا.",
    "feedback": "شكرًا على ملاحظتك أو سؤالك أو شكواك. سيسجلها موظف وسنخبرك بما تم. "
    "تُعالج الشكاوى المتعلقة بسلوك العاملين في المجال الإنساني بشكل منفصل وسري.",
    "closed": "الخط الساخن مغلق الآن. ساعات العمل {hours}. إذا كنت في خطر، اتصل بالرقم {emergency_number}.",
    "closed_holiday": "الخط الساخن مغلق اليوم بسبب عطلة. نعود في ساعات العمل المعتادة {hours}. "
    "إذا كنت في خطر، اتصل بالرقم {emergency_number}.",
    "callback_offer": "لكي نعاود الاتصال بك خلال ساعات العمل، اضغط 1. لإنهاء المكالمة، اضغط 2.",
    "callback_confirmed": "شكرًا. سنعاود الاتصال بك على هذا الرقم خلال ساعات العمل.",
    "transfer": "يرجى البقاء على الخط. نحوّلك إلى موظف.",
    "transfer_priority": "نحوّلك إلى موظف بأولوية. يرجى عدم إغلاق الخط.",
    "queue_hold": "جميع الموظفين مشغولون حاليًا. يرجى البقاء على الخط؛ سيجيبك أول موظف متاح. "
    "إذا كنت في خطر، اتصل بالرقم {emergency_number}.",
    "queue_callback_offer": "لتلقي معاودة اتصال بدلًا من الانتظار، اضغط 1.",
    "invalid_input": "عذرًا، هذا ليس من الخيارات.",
    "no_input": "لم نتلقَّ اختيارك.",
    "technical_problem": "عذرًا، لدينا مشكلة تقنية. نحوّلك إلى موظف.",
    "blocked": "لا يمكننا استقبال مكالمتك الآن. إذا كنت في خطر، اتصل بالرقم {emergency_number}.",
    "goodbye": "شكرًا لاتصالك. إذا كنت في خطر، اتصل بالرقم {emergency_number}. مع السلامة.",
    "whisper_language": "لغة المتصل: {caller_language}.",
    "whisper_priority": "مكالمة ذات أولوية.",
    "whisper_returning": "متصل سابق لديه ملف مفتوح.",
    "queue_full": "جميع الموظفين مشغولون ولا يمكننا وضعك في قائمة الانتظار الآن. إذا كنت في خطر، "
    "اتصل بالرقم {emergency_number}. يرجى الاتصال لاحقًا.",
    "callback_failed": "عذرًا، لم نتمكن من ترتيب معاودة الاتصال. إذا كنت في خطر، اتصل بالرقم {emergency_number}.",
    "emergency_closed": "موظفونا غير متاحين الآن. إذا كنت أنت أو أي شخص بالقرب منك في خطر، اتصل بالرقم "
    "{emergency_number} فورًا: يجيب ليلًا ونهارًا. يمكنك أيضًا التوجه إلى أقرب مركز شرطة أو مستشفى.",
    "language_name_ar": "العربية",
    "language_name_fr": "الفرنسية",
    "hours": "من الاثنين إلى الجمعة من الساعة 8 إلى الساعة 16",
    "topic_menu": "لـ{subject}، اضغط {digit}.",
    "topic_info": "ما يجب معرفته عن {subject}: إلى أين تذهب، وماذا تحضر، وكم يكلف. في حالة الطوارئ، اتصل بالرقم "
    "{emergency_number}.",
}
ARABIC_TOPICS = {
    "health": "الرعاية الصحية",
    "education": "التعليم ورياض الأطفال",
    "employment": "العمل",
    "housing": "السكن",
    "legal": "المساعدة القانونية والوثائق",
    "cash": "المساعدة النقدية",
}
FRENCH_HOURS = "du lundi au vendredi de 8 heures à 16 heures"


def _fill(doc: dict[str, Any], texts: dict[str, dict[str, str]], topics: dict[str, dict[str, str]]) -> None:
    """Replace every marked text: ``texts[lang]`` where given, else the English stand-in unmarked."""
    emergency = doc["emergency"]["number"]

    def said(lang: str, key: str, english: str, **values: str) -> str:
        if lang in texts and key in texts[lang]:
            return texts[lang][key].format(**values) if values else texts[lang][key]
        return english.split(") ", 1)[1] if english.startswith(UNTRANSLATED) else english

    for lang, messages in doc.get("messages", {}).items():
        for key, text in messages.items():
            messages[key] = said(lang, key, text)
    for lang, text in doc["hours"]["spoken"].items():
        doc["hours"]["spoken"][lang] = said(lang, "hours", text)
    for topic in doc["topics"]:
        for lang in topic["menu"]:
            subject = topics.get(lang, {}).get(topic["key"], "")
            topic["menu"][lang] = said(lang, "topic_menu", topic["menu"][lang], subject=subject, digit=topic["digit"])
            topic["info"][lang] = said(
                lang, "topic_info", topic["info"][lang], subject=subject, emergency_number=emergency
            )


def _countries(tmp: Path) -> Path:
    folder = tmp / "countries"
    if not folder.is_dir():
        shutil.copytree(COUNTRIES_DIR, folder, ignore=shutil.ignore_patterns("prompts"))
    return folder


def myanmar(tmp: Path) -> Path:
    """``<tmp>/countries/mm.yaml``: Burmese (recorded prompts, no Polly voice) then English."""
    folder = _countries(tmp)
    doc = country_document(
        "mm", name="Myanmar", languages=["my", "en"], time_zone="Asia/Yangon", hours=["mon-fri 09:00-17:00"],
        region="ap-southeast-1", emergency_number="199", regions=["yangon", "mandalay", "rakhine"],
        countries_dir=folder,
    )  # fmt: skip
    _fill(doc, {"my": BURMESE}, {"my": BURMESE_TOPICS})
    # Operators' guide labels exist for English (helpline/guide/labels/), not yet for Burmese.
    doc["operators"] = {"language": "en"}
    doc["messages"]["en"] = {"language_name_my": "Burmese"}
    return write_country(doc, countries_dir=folder, force=True)  # a scratch country, whatever countries/ holds


PARTNERS_TD = [
    {
        "id": "td-protection",
        "name": "Protection partner (N'Djamena)",
        "services": ["SV", "WR", "CR", "SC"],
        "regions": ["ndjamena"],
        "languages": ["ar", "fr"],
        "channel": {"type": "phone", "address": "+235 22 51 00 00"},
        "capacity": 20,
    },
    {
        "id": "td-health",
        "name": "Health partner",
        "services": ["SM", "PG"],
        "regions": ["*"],
        "languages": ["ar", "fr"],
        "channel": {"type": "email", "address": "referrals@health.partners.example.org"},
        "capacity": 30,
    },
]


def chad(tmp: Path, partners: list[dict[str, Any]] | None = None) -> Path:
    """``<tmp>/countries/td.yaml``: Arabic (right to left, Amazon Polly) then French, with partners."""
    folder = _countries(tmp)
    doc = country_document(
        "td", name="Chad", languages=["ar", "fr"], time_zone="Africa/Ndjamena", hours=["mon-fri 08:00-16:00"],
        region="eu-west-2", emergency_number="17", regions=["ndjamena", "ouaddai", "lac"], countries_dir=folder,
    )  # fmt: skip
    _fill(doc, {"ar": ARABIC, "fr": {"hours": FRENCH_HOURS}}, {"ar": ARABIC_TOPICS})
    doc["partners"] = PARTNERS_TD if partners is None else partners
    return write_country(doc, countries_dir=folder, force=True)  # a scratch country, whatever countries/ holds

"""Reference data the country-file schema validates against.

Sources (check them when AWS adds a Region or a voice):
- Amazon Connect Regions: https://docs.aws.amazon.com/connect/latest/adminguide/regions.html
- Amazon Polly voices: https://docs.aws.amazon.com/polly/latest/dg/available-voices.html
- UNHCR specific-needs codes: UNHCR "Specific Needs Codes" guidance (2009, used in proGres v4).
"""

from __future__ import annotations

from functions.logic.needs import ALL_CODES as ALL_NEEDS_CODES

# Regions where an Amazon Connect instance can be created.
CONNECT_REGIONS: frozenset[str] = frozenset(
    {
        "us-east-1",
        "us-west-2",
        "af-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-west-2",
        "us-gov-west-1",
    }
)

# AWS Regions located inside the European Union (GDPR: EU callers' data stays here).
# eu-west-2 (London) and eu-central-2 (Zurich) are in Europe but not in the EU.
EU_REGIONS: frozenset[str] = frozenset(
    {"eu-central-1", "eu-west-1", "eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2"}
)

# ISO 3166-1 alpha-2 codes (lower case) of EU member states.
EU_COUNTRIES: frozenset[str] = frozenset(
    [
        "at",
        "be",
        "bg",
        "hr",
        "cy",
        "cz",
        "dk",
        "ee",
        "fi",
        "fr",
        "de",
        "gr",
        "hu",
        "ie",
        "it",
        "lv",
        "lt",
        "lu",
        "mt",
        "nl",
        "pl",
        "pt",
        "ro",
        "sk",
        "si",
        "es",
        "se",
    ]
)


class LanguageInfo:
    """What the project knows about a spoken language."""

    def __init__(self, code: str, english: str, native: str, polly_voices: tuple[str, ...], connect_code: str):
        self.code = code
        self.english = english
        self.native = native
        self.polly_voices = polly_voices
        # Amazon Connect / Lex style locale used for the contact's language attribute.
        self.connect_code = connect_code


# Languages a country file may use. Polly voices per language; an empty tuple means no
# Amazon Polly voice exists and the language needs recorded prompts.
LANGUAGES: dict[str, LanguageInfo] = {
    li.code: li
    for li in [
        LanguageInfo("uk", "Ukrainian", "Українська", (), "uk-UA"),
        LanguageInfo("ru", "Russian", "Русский", ("Tatyana", "Maxim"), "ru-RU"),
        LanguageInfo("en", "English", "English", ("Joanna", "Matthew", "Amy", "Brian", "Emma", "Ruth"), "en-US"),
        LanguageInfo("ro", "Romanian", "Română", ("Carmen",), "ro-RO"),
        LanguageInfo("pl", "Polish", "Polski", ("Ewa", "Maja", "Jacek", "Jan", "Ola"), "pl-PL"),
        LanguageInfo("hu", "Hungarian", "Magyar", (), "hu-HU"),
        LanguageInfo("ar", "Arabic", "العربية", ("Zeina", "Hala", "Zayd"), "ar-AE"),
        LanguageInfo("es", "Spanish", "Español", ("Lucia", "Conchita", "Enrique", "Lupe", "Mia"), "es-ES"),
        LanguageInfo("fr", "French", "Français", ("Celine", "Lea", "Mathieu", "Remi"), "fr-FR"),
        LanguageInfo("de", "German", "Deutsch", ("Vicki", "Marlene", "Hans", "Daniel"), "de-DE"),
        LanguageInfo("my", "Burmese", "မြန်မာ", (), "my-MM"),
        LanguageInfo("sk", "Slovak", "Slovenčina", (), "sk-SK"),
        LanguageInfo("cs", "Czech", "Čeština", ("Jitka",), "cs-CZ"),
        LanguageInfo("tr", "Turkish", "Türkçe", ("Filiz", "Burcu"), "tr-TR"),
        # Mandarin Chinese, written in simplified characters.
        # - Polly: Zhiyu (cmn-CN) is the one Mandarin voice, with both the standard and the neural
        #   engine (Amazon Polly voice list, above), so it speaks whichever engine Connect picks: the
        #   flows' Set voice (UpdateContactTextToSpeechVoice) names no TextToSpeechEngine.
        # - Locale zh-CN: Lex V2 "zh_CN Mandarin (PRC)" (https://docs.aws.amazon.com/lexv2/latest/dg/how-languages.html),
        #   Connect "Chinese - Simplified (China) zh-CN" (supported-languages.html, see CONTACT_LENS_LANGUAGES).
        # - Native name 中文 ("Chinese"): how a Chinese IVR names the language in its menu, and the
        #   same word in every Chinese-speaking place; 普通话 names only the spoken standard of the
        #   mainland (Taiwan says 國語, Singapore 华语). The English name says what callers hear.
        LanguageInfo("zh", "Mandarin Chinese", "中文", ("Zhiyu",), "zh-CN"),
    ]
}

# The engines each voice above speaks with, from Amazon Polly's voice table ("Neural Voice",
# "Standard Voice" columns): https://docs.aws.amazon.com/polly/latest/dg/available-voices.html
# The flows' Set voice action names its engine explicitly (``{{engine:<lang>}}``), because
# UpdateContactTextToSpeechVoice "results in error if ... the selected voice does not support the
# selected engine" and the older page describes TextToSpeechEngine as needed "if it is a neural
# voice": left out, a neural-only voice (Hala, Zayd, Jitka, Ola, Remi, Daniel, Ruth, Burcu) would
# fail (https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions-updatecontacttexttospeechvoice.html).
STANDARD, NEURAL = "Standard", "Neural"
POLLY_ENGINES: dict[str, tuple[str, ...]] = {
    "Tatyana": (STANDARD,), "Maxim": (STANDARD,),
    "Joanna": (NEURAL, STANDARD), "Matthew": (NEURAL, STANDARD), "Amy": (NEURAL, STANDARD),
    "Brian": (NEURAL, STANDARD), "Emma": (NEURAL, STANDARD), "Ruth": (NEURAL,),
    "Carmen": (STANDARD,),
    "Ewa": (STANDARD,), "Maja": (STANDARD,), "Jacek": (STANDARD,), "Jan": (STANDARD,), "Ola": (NEURAL,),
    "Zeina": (STANDARD,), "Hala": (NEURAL,), "Zayd": (NEURAL,),
    "Lucia": (NEURAL, STANDARD), "Conchita": (STANDARD,), "Enrique": (STANDARD,),
    "Lupe": (NEURAL, STANDARD), "Mia": (NEURAL, STANDARD),
    "Celine": (STANDARD,), "Lea": (NEURAL, STANDARD), "Mathieu": (STANDARD,), "Remi": (NEURAL,),
    "Vicki": (NEURAL, STANDARD), "Marlene": (STANDARD,), "Hans": (STANDARD,), "Daniel": (NEURAL,),
    "Jitka": (NEURAL,),
    "Filiz": (STANDARD,), "Burcu": (NEURAL,),
    "Zhiyu": (NEURAL, STANDARD),
}  # fmt: skip


def polly_engine(voice: str) -> str:
    """The engine the flows set for ``voice``: Standard where the voice has it (the sound callers of the
    shipped countries hear today), else Neural. A voice missing from :data:`POLLY_ENGINES` is a KeyError:
    every voice a country may choose is listed (a test keeps them in step)."""
    engines = POLLY_ENGINES[voice]
    return STANDARD if STANDARD in engines else engines[0]


# Contact Lens post-call analytics: language -> analytics locale, for the languages the AWS page
# "Languages supported by Amazon Connect features" (AI features table, "Post-call analytics"
# column) lists: https://docs.aws.amazon.com/connect/latest/adminguide/supported-languages.html
# A language not listed here is recorded but not analysed (the flow enables analytics only
# where Connect supports the language; AnalyticsLanguage must be one of them).
CONTACT_LENS_LANGUAGES: dict[str, str] = {
    "en": "en-US",
    "es": "es-ES",
    "fr": "fr-FR",
    "ar": "ar-AE",
    "cs": "cs-CZ",
    "ro": "ro-RO",
    "ru": "ru-RU",
    "pl": "pl-PL",
    "uk": "uk-UA",
    "hu": "hu-HU",
    "zh": "zh-CN",  # "Chinese - Simplified (China)": post-call analytics yes, redaction no
}
# Languages whose Contact Lens output can be redacted (same table, "Redaction" column); for the
# others the flow must not ask for redaction. Redacted output only, where it exists (minimisation).
CONTACT_LENS_REDACTION: frozenset[str] = frozenset({"en", "es", "fr"})

# UNHCR specific-needs codes: one list, the one the Lambda handlers validate against.
NEEDS_CODES: frozenset[str] = ALL_NEEDS_CODES

"""Languages a clinic's staff speak: ISO 639-1 codes and their English names."""

from __future__ import annotations

LANGUAGE_NAMES: dict[str, str] = {
    "am": "Amharic",
    "ar": "Arabic",
    "bn": "Bengali",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian (Farsi)",
    "fr": "French",
    "gu": "Gujarati",
    "he": "Hebrew",
    "hi": "Hindi",
    "hmn": "Hmong",
    "ht": "Haitian Creole",
    "hy": "Armenian",
    "it": "Italian",
    "ja": "Japanese",
    "km": "Khmer",
    "ko": "Korean",
    "lo": "Lao",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "so": "Somali",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "th": "Thai",
    "tl": "Tagalog (Filipino)",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yi": "Yiddish",
    "yo": "Yoruba",
    "zh": "Chinese",
    "ase": "American Sign Language",
}
"""Codes in use among US clinics; ``ase`` is ISO 639-3 for American Sign Language."""

LANGUAGE_ALIASES: dict[str, str] = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}
LANGUAGE_ALIASES.update(
    {
        "asl": "ase",
        "spanish/español": "es",
        "español": "es",
        "mandarin": "zh",
        "cantonese": "zh",
        "farsi": "fa",
        "filipino": "tl",
    }
)

#!/usr/bin/env python3
"""Makes the encoder reference fixtures with sentence-transformers.

Writes Tests/LatentTests/Resources/encoder-fixtures.json: for each input, its text, the
token ids sentence-transformers' tokenizer gives (max_seq_length 256, with [CLS]/[SEP]),
and its embedding as base64 of little-endian float32.

Run once after changing the inputs (needs torch; CI never runs it):
    .venv-bench/bin/python -m latitude_tools.tools.encoder_fixtures
"""
import base64, json, os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from sentence_transformers import SentenceTransformer

from latitude_tools.paths import ROOT

MODEL = ROOT / "Weights/encoder/all-MiniLM-L6-v2"
OUT = ROOT / "Tests/LatentTests/Resources/encoder-fixtures.json"

def inputs():
    plain = [
        "The quick brown fox jumps over the lazy dog.",
        "I absolutely loved this movie; the acting was superb.",
        "This was the worst meal I have ever eaten.",
        "Could you please send me the quarterly report by Friday?",
        "hey whats up lol",
        "Dear Sir or Madam, I am writing to formally request a refund.",
        "The mitochondria is the powerhouse of the cell.",
        "She sells seashells by the seashore.",
        "Is it going to rain tomorrow?",
        "We shipped version 2.3.1 on 2024-05-17 at 09:30 UTC.",
        "Prices rose 4.5% year over year, to $1,299.99.",
        "To be, or not to be, that is the question.",
        "It was a bright cold day in April, and the clocks were striking thirteen.",
        "Call me Ishmael.",
        "Visit https://example.com/path?query=1&x=y#frag for details.",
        "Email me at first.last+tag@example.org.",
        "def encode(self, text: str) -> list[float]: return []",
        "#hashtag @mention RT: breaking news!!!",
        "Don't you think it's weird that they've gone?",
        "The U.S.A. and the U.K. signed the treaty.",
        "a",
        "I",
        "Supercalifragilisticexpialidocious is a long word.",
        "Antidisestablishmentarianism",
        "Pneumonoultramicroscopicsilicovolcanoconiosis is the longest English word.",
        "New York-based start-ups raised $3bn in Q3.",
        "The 3rd, 21st and 102nd entries were wrong.",
        "COVID-19 vaccines were approved in December 2020.",
        "He said, \"It's fine,\" but it wasn't.",
        "Semicolons; colons: dashes - and en–dashes — and em—dashes.",
    ]
    accents = [
        "Café déjà vu — naïve coöperation",
        "Crème brûlée à la française",
        "Señor Muñoz visitó São Paulo",
        "Zürich, Österreich und Ärger",
        "Ångström Øresund Æsir",
        "Dvořák and Janáček",
        "İstanbul'da ılık bir gün",
        "Straße, Maß und Fuß",
        "ǅemal ǈubljana ǋ",
        "résumé RÉSUMÉ Résumé",
        "e\u0301 (combining acute) vs é (precomposed)",
        "ﬁnal ﬂight ﬀ ligatures",
        "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
        "ΣΊΣΥΦΟΣ σίσυφος ΟΔΥΣΣΕΥΣ",
        "Привет, как дела?",
        "مرحبا بالعالم",
        "שלום עולם",
        "नमस्ते दुनिया",
        "สวัสดีชาวโลก",
        "Tiếng Việt có dấu",
    ]
    punctuation = [
        "!!!", "???", "...", "?!?!?!", "—–-‐", "((([[[{{{}}}]]])))", "\"'`´‘’“”", "***", "@#$%^&*",
        "...and then?!", "Wait... what?!", "¡Hola! ¿Qué tal?", "«Bonjour» „Hallo“", "a.b.c.d.e",
        "semi;colon;separated;values", "under_score_words", "slash/separated/path", "back\\slash",
        "~tilde~ |pipe| <angle>", "§ ¶ † ‡ • ‰ ′ ″",
    ]
    cjk = [
        "東京は日本の首都です。", "我爱自然语言处理", "北京欢迎你", "한국어 문장입니다", "日本語とEnglishの混在",
        "中文，标点！符号？", "漢字かな交じり文", "𠀀𠀁 rare ideographs 𪜀", "ｶﾀｶﾅ half-width", "CJK: 你好, world",
    ]
    emoji = [
        "🙂 emoji test", "I love pizza 🍕🍕🍕", "👨‍👩‍👧‍👦 family", "🇫🇷 flag", "❤️ heart with selector",
        "thumbs 👍🏽 skin tone", "✨✨✨", "🤖 robots 🤖 everywhere", "☃ snowman ★ star", "emoji at end 😂",
    ]
    whitespace = [
        "", " ", "   ", "\t", "\n", "\r\n", "\t\n \r", "\u00a0", "\u2003\u2009", "\u3000",
        "  leading spaces", "trailing spaces   ", "multiple    internal   spaces", "tab\tseparated\tvalues",
        "line\nbreaks\nhere", "\u200b zero width space", "zero\u200djoiner", "soft\u00adhyphen",
        "nul\u0000char", "replacement\ufffdchar", "bell\u0007char", "\u202eright-to-left override",
        "line\u2028separator", "para\u2029separator", "private\ue000use",
    ]
    long_texts = [
        " ".join(["word"] * 300),
        "The quick brown fox jumps over the lazy dog. " * 40,
        "x" * 150,
        "a" * 101 + " short",
        "antidisestablishmentarianism " * 60,
        ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua. ") * 12,
        "東京" * 200,
        "🙂" * 300,
        "!" * 400,
        "one two three four five six seven eight nine ten " * 30,
    ]
    numbers = [
        "0", "1234567890", "3.14159", "-42", "1e-9", "½ ¾ ⅓", "Ⅻ roman", "①②③", "٣٤٥ arabic digits",
        "phone: +1 (555) 123-4567",
    ]
    mixed = []
    subjects = ["The cat", "My neighbour", "A small robot", "The committee", "Our team", "This recipe",
                "The river", "An old map", "Her answer", "The new policy"]
    verbs = ["quietly changed", "completely ruined", "slowly improved", "never explained", "happily shared",
             "barely survived", "formally rejected", "suddenly revealed"]
    objects = ["the whole plan.", "everything we knew!", "a surprising secret?", "the final result.",
               "our best idea...", "the long weekend", "its own history.", "the quiet morning."]
    for i in range(95):
        mixed.append(f"{subjects[i % len(subjects)]} {verbs[(i * 3) % len(verbs)]} {objects[(i * 7) % len(objects)]}")
    return plain + accents + punctuation + cjk + emoji + whitespace + long_texts + numbers + mixed

def main():
    model = SentenceTransformer(str(MODEL), device="cpu")
    texts = inputs()
    tok = model.tokenizer
    embeddings = model.encode(texts, batch_size=16, convert_to_numpy=True).astype("<f4")
    fixtures = []
    for text, vector in zip(texts, embeddings):
        ids = tok(text, truncation=True, max_length=model.max_seq_length)["input_ids"]
        fixtures.append({"text": text, "ids": ids,
                         "embedding": base64.b64encode(vector.tobytes()).decode()})
    OUT.write_text(json.dumps({"model": "all-MiniLM-L6-v2", "max_seq_length": model.max_seq_length,
                               "fixtures": fixtures}, ensure_ascii=False, indent=0) + "\n")
    print(f"wrote {len(fixtures)} fixtures to {OUT}")

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes AxisPacks/builtin.json: the examples of Latitude's built-in axes, from open data.

- sentiment: the VADER sdist's movie-review and NYT-editorial snippets (MIT), with their
  human ratings (mean of 20 raters, -4..4); |rating| >= 0.5, the pole by its sign. Fit by
  logistic regression. The tweets and Amazon snippets are left out: `make eval-axes`
  evaluates on them.
- length: train-split sentences of the decoder corpus, 4-6 words vs 25-40 words.
- question: train-split sentences ending in "?" vs ending in ".".
- concreteness: WordNet 3.0 noun glosses (WordNet licence) from lexicographer files of
  physical things (artifact, animal, food, plant, body, object, substance) vs abstractions
  (cognition, feeling, attribute, state, relation, motive, communication).
- formality: sentence pairs written for Latitude (CC0): the same content in a formal and a
  casual register, so the content cancels in the mean difference.
Directions and calibrations are computed by `latitude axis build AxisPacks/builtin.json`
with the Swift encoder (make axis-packs runs both). Needs `make corpus` first.
"""
import json, pathlib, random, re, tempfile

from latitude_tools.paths import ROOT
from latitude_tools.train.corpus import fetch_debian, fetch_vader, vader_rated

OUT = ROOT / "AxisPacks/builtin.json"
CONCRETE = {5: "animal", 6: "artifact", 8: "body", 13: "food", 17: "object", 20: "plant", 27: "substance"}
ABSTRACT = {7: "attribute", 9: "cognition", 10: "communication", 12: "feeling", 16: "motive", 24: "relation", 26: "state"}
FORMALITY = [
    ("I would be grateful if you could send the report at your earliest convenience.", "Can you send me the report soon?"),
    ("We regret to inform you that the meeting has been postponed.", "Sorry, the meeting got pushed back."),
    ("Please do not hesitate to contact me should you require further information.", "Just ping me if you need anything else."),
    ("The committee has decided to decline your application.", "They said no to your application."),
    ("I am writing to request a refund for the damaged item.", "Hey, I want my money back, the thing arrived broken."),
    ("Kindly ensure that all doors are locked before departing.", "Make sure you lock up before you leave."),
    ("It is with great pleasure that we announce our engagement.", "Guess what, we're getting married!"),
    ("The results of the study were inconclusive.", "The study didn't really show anything."),
    ("Attendance at the seminar is mandatory for all staff.", "Everybody's gotta show up to the seminar."),
    ("I must respectfully disagree with your assessment.", "Nah, I don't think you're right."),
    ("We would appreciate your prompt attention to this matter.", "Can you deal with this quick?"),
    ("The establishment will be closed for renovations until further notice.", "The place is shut for a while, they're fixing it up."),
    ("Please accept my sincere apologies for the inconvenience.", "My bad, sorry about that."),
    ("The defendant was found guilty on all counts.", "Yeah, they nailed the guy on everything."),
    ("Your cooperation in this matter is greatly appreciated.", "Thanks a bunch for helping out."),
    ("I am unable to attend the conference due to a prior commitment.", "Can't make it to the conference, got other stuff going on."),
    ("The minister declined to comment on the allegations.", "The minister didn't wanna talk about it."),
    ("Applicants must submit their documents by the fifteenth of March.", "Get your papers in by mid-March, okay?"),
    ("We are pleased to offer you the position of senior analyst.", "You got the job, congrats!"),
    ("The vehicle sustained considerable damage in the collision.", "The car got totally wrecked in the crash."),
    ("Should you wish to discuss this further, I am at your disposal.", "Wanna talk more? I'm around."),
    ("The board convened to deliberate on the proposed merger.", "The bosses got together to hash out the merger thing."),
    ("Consumption of food and beverages is prohibited in the library.", "No snacks or drinks in the library, folks."),
    ("I trust that this letter finds you in good health.", "Hope you're doing okay!"),
    ("The performance exceeded all of our expectations.", "The show was way better than we thought."),
    ("Residents are advised to remain indoors during the storm.", "Stay inside while the storm's going, seriously."),
    ("Further investigation is required to determine the cause.", "We gotta dig into it more to figure out why."),
    ("The company reported a substantial increase in quarterly revenue.", "The company made a ton more money this quarter."),
    ("I wish to express my gratitude for your generous hospitality.", "Thanks so much for having us, you guys are awesome."),
    ("Participants are requested to arrive fifteen minutes early.", "Try to get there like fifteen minutes early."),
    ("The professor elucidated the principles of thermodynamics.", "The prof explained the heat stuff."),
    ("Regrettably, the item you ordered is no longer in stock.", "Sorry, we're all out of that one."),
    ("Please find attached the minutes of the previous meeting.", "Here's the notes from last time."),
    ("The patient's condition has improved considerably.", "She's doing loads better now."),
    ("We look forward to your continued patronage.", "See ya next time!"),
    ("The ambassador expressed deep concern regarding the situation.", "The ambassador's pretty worried about all this."),
]


def glosses(root, lexfiles):
    out = []
    for line in open(root / "usr/share/wordnet/data.noun", encoding="latin-1"):
        if line.startswith("  ") or "|" not in line:
            continue
        if int(line.split()[1]) in lexfiles:
            definition = re.sub(r'"[^"]*"', "", line.split("|", 1)[1]).strip(" ;\n")
            if 3 <= len(definition.split()) <= 25:
                out.append(definition[0].upper() + definition[1:] + ".")
    return out


def example(text):
    return {"text": text}


def main():
    rng = random.Random(1)
    train = [l.strip() for l in open(ROOT / "Weights/train/data/train.txt", encoding="utf-8") if l.strip()]
    rated = vader_rated(fetch_vader(), ["movieReviewSnippets_GroundTruth.txt", "nytEditorialSnippets_GroundTruth.txt"])
    with tempfile.TemporaryDirectory() as tmp:
        fetch_debian(pathlib.Path(tmp))
        concrete = glosses(pathlib.Path(tmp), CONCRETE)
        abstract = glosses(pathlib.Path(tmp), ABSTRACT)
    short = [s for s in train if 4 <= len(s.split()) <= 6]
    long = [s for s in train if 25 <= len(s.split()) <= 40]
    questions = [s for s in train if s.endswith("?")]
    statements = [s for s in train if s.endswith(".")]
    sample = lambda items, n: rng.sample(items, min(n, len(items)))
    pack = {
        "name": "latitude-builtin",
        "version": "1.0.0",
        "description": "Latitude's built-in axes, from open data (make axis-packs).",
        "axes": [
            {"id": "sentiment", "name": "Sentiment", "poles": {"negative": "negative", "positive": "positive"},
             "method": "logistic",
             "source": "VADER 3.2.1.1 movie-review + NYT-editorial snippets, human-rated, |rating| >= 0.5 (MIT)",
             "examples": {"negative": [example(t) for r, t in rated if r <= -0.5],
                          "positive": [example(t) for r, t in rated if r >= 0.5]}},
            {"id": "length", "name": "Length", "poles": {"negative": "short", "positive": "long"},
             "method": "logistic",
             "source": "decoder corpus train split: 4-6 vs 25-40 words (Weights/train/manifest.json)",
             "examples": {"negative": [example(t) for t in sample(short, 400)],
                          "positive": [example(t) for t in sample(long, 400)]}},
            {"id": "formality", "name": "Formality", "poles": {"negative": "casual", "positive": "formal"},
             "method": "mean-difference",
             "source": "paired sentences written for Latitude (CC0), same content in two registers",
             "examples": {"negative": [example(c) for _, c in FORMALITY],
                          "positive": [example(f) for f, _ in FORMALITY]}},
            {"id": "question", "name": "Question", "poles": {"negative": "statement", "positive": "question"},
             "method": "logistic",
             "source": "decoder corpus train split: sentences ending in '.' vs '?'",
             "examples": {"negative": [example(t) for t in sample(statements, 400)],
                          "positive": [example(t) for t in sample(questions, 400)]}},
            {"id": "concreteness", "name": "Concreteness", "poles": {"negative": "abstract", "positive": "concrete"},
             "method": "mean-difference",
             "source": "WordNet 3.0 noun glosses: " + ", ".join(sorted(CONCRETE.values())) + " vs " + ", ".join(sorted(ABSTRACT.values())),
             "examples": {"negative": [example(t) for t in sample(abstract, 400)],
                          "positive": [example(t) for t in sample(concrete, 400)]}},
        ],
    }
    OUT.write_text(json.dumps(pack, indent=1, ensure_ascii=False) + "\n")
    counts = {a["id"]: (len(a["examples"]["negative"]), len(a["examples"]["positive"])) for a in pack["axes"]}
    print(f"wrote {OUT}: {counts}")


if __name__ == "__main__":
    main()

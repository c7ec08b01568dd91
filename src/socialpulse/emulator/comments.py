"""Comment texts: short, informal, in eight languages, positive, neutral or negative.

Written for the emulator, so that sentiment analysis has realistic material: emoji,
slang, romanised Hindi, right-to-left Arabic, sarcasm-free negatives and a lot of "first!".
"""

from __future__ import annotations

import random

from socialpulse.emulator.text import Niche

Sentiment = str  # "positive" | "neutral" | "negative"
SENTIMENTS = ("positive", "neutral", "negative")

# fmt: off
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": (
            "this is sooo good", "best {thing} video on here, no contest", "{name} never misses",
            "ok I'm trying this tonight", "the editing on this one is insane",
            "love how calm you explain {thing}", "came for {thing}, stayed for the vibes",
            "you just saved my weekend thank you", "finally someone who gets {thing} right",
            "subscribed after 30 seconds lol",
        ),
        "neutral": (
            "what camera do you use?", "first", "how long did the {thing} take?", "anyone here in {year}?",
            "where can I find the link?", "part 2 when?", "is this the same as the older video?",
            "watching this at 3am for some reason", "what's the song at 2:14?",
            "timestamp for the {thing} part?",
        ),
        "negative": (
            "this didn't work for me at all", "way too long, get to the point",
            "audio is really bad in this one", "clickbait title, nothing about {thing}",
            "used to love this channel, not anymore", "honestly kind of boring",
            "that's just wrong about {thing}", "too many ads, unwatchable",
        ),
    },
    "es": {
        "positive": (
            "me encantó, gracias {name}", "el mejor vídeo de {thing} que he visto", "qué buena pinta!!",
            "lo probé y salió perfecto", "tus vídeos me alegran el día",
        ),
        "neutral": (
            "¿qué cámara usas?", "primero", "¿cuánto tiempo tarda?", "¿alguien en {year}?",
            "¿dónde está el enlace?",
        ),
        "negative": (
            "no me funcionó para nada", "demasiado largo", "el audio se oye fatal", "título engañoso",
            "antes me gustaba más este canal",
        ),
    },
    "pt": {
        "positive": (
            "amei demais, obrigada {name}", "melhor vídeo de {thing} do youtube",
            "ficou perfeito aqui em casa", "que conteúdo incrível", "você explica muito bem",
        ),
        "neutral": (
            "qual câmera você usa?", "primeiro", "quanto tempo demora?", "alguém assistindo em {year}?",
            "cadê o link?",
        ),
        "negative": (
            "não deu certo pra mim", "muito longo, enrolou demais", "áudio ruim", "título nada a ver",
            "já foi melhor esse canal",
        ),
    },
    "fr": {
        "positive": (
            "trop bien, merci {name}", "meilleure vidéo sur {thing}", "j'ai testé, c'est parfait",
            "tes vidéos me font du bien", "le montage est génial",
        ),
        "neutral": (
            "tu utilises quelle caméra ?", "premier", "ça prend combien de temps ?",
            "qui regarde en {year} ?", "le lien est où ?",
        ),
        "negative": (
            "ça n'a pas marché chez moi", "beaucoup trop long", "le son est horrible", "titre trompeur",
            "c'était mieux avant",
        ),
    },
    "de": {
        "positive": (
            "richtig gut, danke {name}", "bestes Video über {thing}", "hab's nachgemacht, perfekt",
            "deine Videos retten meinen Tag", "super erklärt",
        ),
        "neutral": (
            "welche Kamera benutzt du?", "erster", "wie lange dauert das?", "wer schaut in {year}?",
            "wo ist der Link?",
        ),
        "negative": (
            "hat bei mir nicht funktioniert", "viel zu lang", "Ton ist echt schlecht", "Clickbait",
            "früher war der Kanal besser",
        ),
    },
    "it": {
        "positive": (
            "bellissimo, grazie {name}", "il miglior video su {thing}", "provato e riuscito benissimo",
            "i tuoi video mi migliorano la giornata", "spiegato benissimo",
        ),
        "neutral": (
            "che fotocamera usi?", "primo", "quanto tempo ci vuole?", "chi guarda nel {year}?",
            "dov'è il link?",
        ),
        "negative": (
            "a me non ha funzionato", "troppo lungo", "l'audio è pessimo", "titolo ingannevole",
            "prima era meglio",
        ),
    },
    "hi": {
        "positive": (
            "bahut badhiya {name} bhai", "{thing} pe best video yaar", "maine try kiya, ekdum perfect",
            "aapke videos dekh ke din ban jata hai", "kya mast explain kiya",
        ),
        "neutral": (
            "kaunsa camera use karte ho?", "first", "kitna time lagta hai?",
            "{year} mein kaun dekh raha hai?", "link kahan hai?",
        ),
        "negative": (
            "mere liye kaam nahi kiya", "bahut lamba video hai", "awaaz bilkul saaf nahi hai",
            "title clickbait hai", "pehle zyada accha lagta tha",
        ),
    },
    "ar": {
        "positive": (
            "رائع جدا شكرا {name}", "أفضل فيديو عن {thing}", "جربتها ونجحت", "فيديوهاتك تسعدني",
            "شرح ممتاز",
        ),
        "neutral": (
            "ما نوع الكاميرا؟", "أول تعليق", "كم تستغرق؟", "من يشاهد في {year}؟", "أين الرابط؟",
        ),
        "negative": (
            "لم تنجح معي", "طويل جدا", "الصوت سيء", "العنوان مضلل", "القناة كانت أفضل سابقا",
        ),
    },
}

EMOJI: dict[str, tuple[str, ...]] = {
    "positive": ("😍", "🔥", "👏", "❤️", "🙌", "😂", "💯", "✨", "🥰", "👌"),
    "neutral": ("🤔", "👀", "🙂", "😅"),
    "negative": ("😒", "👎", "🙄", "😴", "😡", "🤦"),
}
# fmt: on


def comment_text(r: random.Random, language: str, sentiment: Sentiment, niche: Niche, name: str) -> str:
    """One comment in ``language`` with the given ``sentiment``, about ``niche``, to ``name``."""
    template = r.choice(TEMPLATES[language][sentiment])
    text = template.format(name=name, thing=r.choice(niche.things), year=r.choice(("2025", "2026")))
    style = r.random()
    if style < 0.25:
        text += " " + r.choice(EMOJI[sentiment])
    elif style < 0.35:
        text += " " + r.choice(EMOJI[sentiment]) * r.randint(2, 3)
    elif style < 0.45 and sentiment != "neutral":
        text += "!!" if sentiment == "positive" else "..."
    if r.random() < 0.15 and language != "ar":
        text = text.capitalize()
    return text

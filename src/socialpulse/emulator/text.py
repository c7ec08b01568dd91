"""The world's text bank: names, niches, biographies, titles and post texts.

All of it is written for the emulator. Texts are assembled from templates with a
``random.Random`` the caller seeds, so they are deterministic per seed.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

# fmt: off
LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "hi", "ar")
LANGUAGE_WEIGHTS = (45, 12, 10, 7, 6, 5, 10, 5)

COUNTRIES: dict[str, tuple[str, ...]] = {
    "en": ("US", "US", "US", "GB", "GB", "CA", "AU", "IE", "NZ"),
    "es": ("ES", "MX", "MX", "AR", "CO", "CL"),
    "pt": ("BR", "BR", "BR", "PT"),
    "fr": ("FR", "FR", "BE", "CA"),
    "de": ("DE", "DE", "AT", "CH"),
    "it": ("IT",),
    "hi": ("IN",),
    "ar": ("EG", "SA", "AE", "MA", "JO"),
}

CITIES: dict[str, tuple[str, ...]] = {
    "en": ("Portland", "Austin", "Leeds", "Toronto", "Melbourne", "Dublin", "Brooklyn", "Bristol"),
    "es": ("Madrid", "Sevilla", "CDMX", "Buenos Aires", "Medellín", "Valparaíso"),
    "pt": ("São Paulo", "Recife", "Lisboa", "Porto Alegre", "Belo Horizonte"),
    "fr": ("Lyon", "Marseille", "Bruxelles", "Montréal", "Nantes"),
    "de": ("Berlin", "Hamburg", "Wien", "Zürich", "Leipzig"),
    "it": ("Milano", "Napoli", "Bologna", "Torino", "Palermo"),
    "hi": ("Mumbai", "Delhi", "Pune", "Jaipur", "Bengaluru"),
    "ar": ("القاهرة", "دبي", "الرياض", "عمّان", "الدار البيضاء"),
}

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Mia", "Lucas", "Chloe", "Jack", "Harper",
        "Owen", "Zoe", "Caleb", "Nora", "Eli", "Ruby", "Miles", "Ivy", "Theo", "Hazel", "Jonah", "Tessa",
        "Reid", "Maya", "Dylan", "Quinn", "Isla", "Jo", "Kai",
    ),
    "es": (
        "Sofía", "Mateo", "Valentina", "Santiago", "Lucía", "Diego", "Camila", "Javier", "Martina",
        "Pablo", "Daniela", "Álvaro", "Marisol", "Andrés", "Paula", "Nicolás",
    ),
    "pt": (
        "João", "Ana", "Pedro", "Beatriz", "Gabriel", "Larissa", "Rafael", "Mariana", "Thiago", "Júlia",
        "Caio", "Letícia", "Bruno", "Fernanda",
    ),
    "fr": (
        "Camille", "Louis", "Léa", "Hugo", "Manon", "Théo", "Chloé", "Jules", "Inès", "Arthur", "Margaux",
        "Nathan", "Élise", "Bastien",
    ),
    "de": (
        "Lena", "Finn", "Mia", "Jonas", "Hannah", "Felix", "Lea", "Paul", "Emilia", "Moritz", "Clara",
        "Tobias", "Greta", "Lukas",
    ),
    "it": (
        "Giulia", "Marco", "Chiara", "Luca", "Francesca", "Matteo", "Sara", "Davide", "Alessia", "Lorenzo",
        "Elena", "Simone",
    ),
    "hi": (
        "Aarav", "Priya", "Rohan", "Ananya", "Arjun", "Isha", "Vikram", "Neha", "Kabir", "Diya", "Aditya",
        "Meera", "Siddharth", "Tara",
    ),
    "ar": (
        "Omar", "Layla", "Youssef", "Noor", "Karim", "Amira", "Hassan", "Salma", "Ziad", "Yasmin", "Tariq",
        "Rania",
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Walker", "Bennett", "Hayes", "Brooks", "Foster", "Reed", "Carter", "Sullivan", "Price", "Hughes",
        "Murphy", "Wright", "Palmer", "Ellis", "Grant", "Lowe", "Marsh", "Doyle",
    ),
    "es": (
        "García", "Martínez", "López", "Herrera", "Ruiz", "Navarro", "Castro", "Ortega", "Vargas",
        "Molina",
    ),
    "pt": (
        "Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ribeiro", "Carvalho",
    ),
    "fr": (
        "Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Roux", "Fontaine", "Lefèvre",
    ),
    "de": (
        "Müller", "Schmidt", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Schulz", "Krüger",
    ),
    "it": ("Rossi", "Russo", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti"),
    "hi": ("Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Kapoor", "Mehta", "Singh", "Das"),
    "ar": ("Haddad", "Mansour", "Khalil", "Nasser", "Saleh", "Farouk", "Aziz", "Hamdan", "Qasim"),
}



@dataclass(frozen=True)
class Niche:
    key: str
    handle_words: tuple[str, ...]  # "bakes" in "lenabakes"
    brand_words: tuple[str, ...]  # "Kitchen" in "Lena's Kitchen"
    things: tuple[str, ...]  # what the posts are about
    hashtags: tuple[str, ...]  # without '#'
    titles: tuple[str, ...]  # English title templates: {thing} {n} {year}
    category_id: str  # YouTube video category
    topic: str  # Wikipedia topic of the channel
    emoji: str


NICHES: tuple[Niche, ...] = (
    Niche(
        key="cooking", category_id="26", topic="Food", emoji="🍞",
        handle_words=("bakes", "cooks", "kitchen", "eats", "bakery"),
        brand_words=("Kitchen", "Bakes", "Table"),
        things=(
            "sourdough", "croissants", "ramen", "tacos al pastor", "lasagna", "banana bread", "dumplings",
            "paneer tikka", "shakshuka", "cinnamon rolls", "pho", "focaccia",
        ),
        hashtags=(
            "baking", "recipe", "foodie", "homecooking", "sourdough", "easyrecipes", "dinnerideas",
        ),
        titles=(
            "I baked {thing} every day for {n} days", "The easiest {thing} you will ever make",
            "{thing} in {n} minutes (no special tools)", "My grandma's {thing} recipe",
            "Fixing the 5 most common {thing} mistakes", "Street-food {thing} at home",
            "{thing}: cheap vs expensive", "What I eat in a week ({year} edition)",
        ),
    ),
    Niche(
        key="gaming", category_id="20", topic="Video_game_culture", emoji="🎮",
        handle_words=("plays", "gaming", "pixel", "gg", "arcade"),
        brand_words=("Plays", "Gaming", "Arcade"),
        things=(
            "Elden Ring", "Minecraft hardcore", "Stardew Valley", "speedruns", "Hades II",
            "retro consoles", "Baldur's Gate 3", "indie horror games", "Tetris", "Factorio",
        ),
        hashtags=("gaming", "gamer", "speedrun", "letsplay", "indiegames", "retrogaming", "twitch"),
        titles=(
            "I beat {thing} without taking damage", "{n} hours of {thing} and this happened",
            "Ranking every boss in {thing}", "{thing} but every death adds a rule",
            "The {thing} tier list nobody asked for", "Why {thing} still matters in {year}",
            "Blind run: {thing} part {n}",
        ),
    ),
    Niche(
        key="tech", category_id="28", topic="Technology", emoji="💻",
        handle_words=("tech", "codes", "builds", "dev", "bytes"),
        brand_words=("Tech", "Builds", "Labs"),
        things=(
            "mechanical keyboards", "home servers", "Raspberry Pi", "budget laptops", "Rust",
            "Linux desktops", "smart home gadgets", "e-ink tablets", "self-hosting", "phone cameras",
        ),
        hashtags=("tech", "coding", "homelab", "linux", "gadgets", "selfhosted", "programming"),
        titles=(
            "I tried {thing} for {n} days", "{thing} explained in {n} minutes",
            "Don't buy {thing} before watching this", "Building the ultimate {thing} setup",
            "{thing} in {year}: worth it?", "{n} {thing} tips I wish I knew earlier",
        ),
    ),
    Niche(
        key="travel", category_id="19", topic="Tourism", emoji="✈️",
        handle_words=("travels", "wanders", "roams", "abroad", "maps"),
        brand_words=("Travels", "Journeys", "Roams"),
        things=(
            "Lisbon", "Kyoto", "Patagonia", "night trains", "the Dolomites", "Oaxaca", "Marrakech",
            "Iceland's ring road", "Kerala backwaters", "the Scottish Highlands",
        ),
        hashtags=("travel", "wanderlust", "backpacking", "travelvlog", "slowtravel", "roadtrip"),
        titles=(
            "{n} days in {thing} on a budget", "How I planned {thing} for under $500",
            "{thing}: what nobody tells you", "Solo trip to {thing}",
            "The perfect {n}-day {thing} itinerary", "I got lost in {thing} (again)",
        ),
    ),
    Niche(
        key="fitness", category_id="17", topic="Physical_fitness", emoji="💪",
        handle_words=("fit", "lifts", "runs", "moves", "trains"),
        brand_words=("Fitness", "Training", "Strong"),
        things=(
            "kettlebell workouts", "marathon training", "mobility routines", "calisthenics",
            "trail running", "home gym builds", "pull-ups", "yoga flows", "HIIT",
        ),
        hashtags=("fitness", "workout", "running", "gymlife", "mobility", "healthyliving"),
        titles=(
            "{n}-minute {thing} you can do anywhere", "I did {thing} every day for {n} days",
            "Beginner's guide to {thing}", "What {n} months of {thing} did to my body",
            "{thing} myths, busted", "My {year} {thing} plan",
        ),
    ),
    Niche(
        key="music", category_id="10", topic="Music", emoji="🎵",
        handle_words=("music", "beats", "keys", "sings", "strings"),
        brand_words=("Music", "Sounds", "Sessions"),
        things=(
            "lo-fi beats", "fingerstyle guitar", "synthwave", "piano covers", "bossa nova", "drum grooves",
            "bedroom pop", "modular synths", "choir arrangements",
        ),
        hashtags=("music", "cover", "producer", "guitar", "piano", "newmusic", "songwriting"),
        titles=(
            "Making {thing} from scratch in {n} minutes", "{thing} cover (live session)",
            "I wrote a song a day for {n} days", "How to get better at {thing}", "{thing} gear under $100",
            "Reacting to your {thing}",
        ),
    ),
    Niche(
        key="beauty", category_id="26", topic="Lifestyle_(sociology)", emoji="💄",
        handle_words=("beauty", "glow", "glam", "skin", "looks"),
        brand_words=("Beauty", "Glow", "Glam"),
        things=(
            "drugstore makeup", "skincare routines", "curly hair care", "nail art", "sunscreen",
            "fragrance dupes", "no-makeup looks", "bridal makeup",
        ),
        hashtags=("beauty", "skincare", "makeup", "grwm", "haircare", "beautytips"),
        titles=(
            "GRWM: {thing} edition", "Testing viral {thing} so you don't have to",
            "My {year} {thing} favourites", "{n} {thing} mistakes that age you",
            "Full face of {thing} under $30", "Dermatologist reacts to {thing}",
        ),
    ),
    Niche(
        key="finance", category_id="27", topic="Business", emoji="💸",
        handle_words=("money", "invests", "saves", "finance", "budget"),
        brand_words=("Money", "Finance", "Wealth"),
        things=(
            "index funds", "budgeting apps", "side hustles", "frugal living", "retirement accounts",
            "credit scores", "first homes", "emergency funds",
        ),
        hashtags=("personalfinance", "investing", "money", "budgeting", "financialfreedom", "fire"),
        titles=(
            "How I saved ${n},000 with {thing}", "{thing} explained like you're five",
            "The truth about {thing} in {year}", "{n} {thing} rules I live by",
            "Stop doing this with {thing}",
        ),
    ),
    Niche(
        key="comedy", category_id="23", topic="Humour", emoji="😂",
        handle_words=("laughs", "jokes", "funny", "lol", "bits"),
        brand_words=("Comedy", "Laughs", "Bits"),
        things=(
            "office life", "family group chats", "dating apps", "airport security", "roommates",
            "weddings", "group projects", "IKEA furniture",
        ),
        hashtags=("comedy", "funny", "sketch", "standup", "relatable", "memes"),
        titles=(
            "When {thing} goes wrong", "POV: {thing}", "Every {thing} ever",
            "{thing} but it's a nature documentary", "{n} types of people at {thing}",
        ),
    ),
    Niche(
        key="science", category_id="28", topic="Science", emoji="🔭",
        handle_words=("science", "explains", "lab", "nerd", "space"),
        brand_words=("Science", "Explained", "Lab"),
        things=(
            "black holes", "the James Webb telescope", "CRISPR", "octopus intelligence", "volcanoes",
            "quantum computers", "fermentation", "climate models", "dinosaur feathers",
        ),
        hashtags=("science", "space", "physics", "biology", "astronomy", "stem"),
        titles=(
            "{thing} explained in {n} minutes", "What we got wrong about {thing}",
            "The weird physics of {thing}", "{thing}: a {year} update",
            "I asked {n} scientists about {thing}",
        ),
    ),
    Niche(
        key="pets", category_id="15", topic="Pet", emoji="🐾",
        handle_words=("pets", "paws", "pup", "kitty", "tails"),
        brand_words=("Paws", "Pets", "Tails"),
        things=(
            "rescue dogs", "cat enrichment", "clicker training", "bearded dragons", "aquarium scaping",
            "senior dogs", "parrot tricks", "guinea pigs",
        ),
        hashtags=("dogsofinstagram", "catlife", "pets", "adoptdontshop", "dogtraining", "cute"),
        titles=(
            "Day in the life with {thing}", "Teaching {thing} a new trick in {n} days",
            "{thing} starter kit", "{n} things {thing} owners should know", "We adopted! Meet our {thing}",
        ),
    ),
    Niche(
        key="diy", category_id="26", topic="Hobby", emoji="🔨",
        handle_words=("makes", "builds", "crafts", "diy", "fixes"),
        brand_words=("Makes", "Workshop", "Crafts"),
        things=(
            "epoxy tables", "tiny house builds", "crochet", "upcycled furniture", "3D printing",
            "bookbinding", "van conversions", "pottery",
        ),
        hashtags=("diy", "crafts", "woodworking", "maker", "handmade", "upcycling"),
        titles=(
            "Building {thing} with $100", "{thing} for absolute beginners",
            "{n} hours of {thing} in 10 minutes", "I tried {thing} and failed (then fixed it)",
            "{thing} tools you actually need",
        ),
    ),
    Niche(
        key="fashion", category_id="26", topic="Fashion", emoji="👗",
        handle_words=("style", "fits", "wears", "thrifts", "closet"),
        brand_words=("Style", "Closet", "Fits"),
        things=(
            "thrift flips", "capsule wardrobes", "streetwear", "vintage denim", "sneaker restoration",
            "tailoring basics", "sustainable brands",
        ),
        hashtags=("fashion", "ootd", "thrifting", "streetstyle", "vintage", "styletips"),
        titles=(
            "Styling {thing} {n} ways", "{thing} haul ({year})", "Is {thing} worth the hype?",
            "Building a {thing} from scratch", "{n} {thing} rules I break",
        ),
    ),
)

NICHE_WEIGHTS = (12, 12, 10, 8, 8, 8, 7, 6, 6, 6, 6, 5, 6)

# titles and captions in the creator's own language (the {thing} stays as the niche names it)
LOCAL_TITLES: dict[str, tuple[str, ...]] = {
    "es": (
        "Probé {thing} durante {n} días", "Cómo empezar con {thing} (guía {year})",
        "{thing}: lo que nadie te cuenta", "{n} errores con {thing} que debes evitar",
    ),
    "pt": (
        "Testei {thing} por {n} dias", "Tudo sobre {thing} em {year}", "{thing}: vale a pena?",
        "{n} dicas de {thing} que mudaram tudo",
    ),
    "fr": (
        "J'ai testé {thing} pendant {n} jours", "{thing} : le guide complet {year}",
        "Tout savoir sur {thing}", "{n} erreurs à éviter avec {thing}",
    ),
    "de": (
        "Ich habe {thing} {n} Tage lang getestet", "{thing} für Anfänger ({year})",
        "Was niemand über {thing} sagt", "{n} Tipps für {thing}",
    ),
    "it": (
        "Ho provato {thing} per {n} giorni", "Guida a {thing} ({year})", "{thing}: ne vale la pena?",
        "{n} errori da evitare con {thing}",
    ),
    "hi": (
        "Maine {n} din tak {thing} try kiya", "{thing} ka poora sach",
        "{thing} shuru kaise karein ({year})", "{n} galtiyan jo {thing} mein sab karte hain",
    ),
    "ar": (
        "جربت {thing} لمدة {n} أيام", "كل ما تريد معرفته عن {thing}", "{thing}: هل يستحق؟",
        "{n} نصائح عن {thing}",
    ),
}

BIOS: dict[str, tuple[str, ...]] = {
    "en": (
        "{emoji} {niche_phrase} | {city}", "Making videos about {thing} since {since}. Business: {email}",
        '{niche_phrase}. New uploads every week {emoji}\n{link}',
        "Just a {person} who loves {thing} {emoji}", "{niche_phrase} • {city} • #{tag}",
        "she/her · {niche_phrase} · collabs: {email}", "I talk about {thing} so you don't have to. {link}",
    ),
    "es": (
        "{emoji} {niche_phrase} desde {city}", "Hablo de {thing} cada semana. Contacto: {email}",
        "{niche_phrase} | {city} | #{tag}", "Aquí para compartir {thing} {emoji} {link}",
    ),
    "pt": (
        "{emoji} {niche_phrase} | {city}", "Vídeos novos toda semana sobre {thing}! Parcerias: {email}",
        "Apaixonada por {thing} {emoji} #{tag}", "{niche_phrase} direto de {city} {link}",
    ),
    "fr": (
        "{emoji} {niche_phrase} | {city}", "Des vidéos sur {thing} chaque semaine. Contact : {email}",
        "Passionné de {thing} {emoji} #{tag}", "{niche_phrase}, depuis {city}. {link}",
    ),
    "de": (
        "{emoji} {niche_phrase} aus {city}", "Jede Woche neue Videos über {thing}. Anfragen: {email}",
        "{niche_phrase} | #{tag} | {link}", "Ich liebe {thing} {emoji}",
    ),
    "it": (
        "{emoji} {niche_phrase} da {city}", "Nuovi video su {thing} ogni settimana! Collab: {email}",
        "Appassionata di {thing} {emoji} #{tag}", "{niche_phrase} | {link}",
    ),
    "hi": (
        "{emoji} {niche_phrase} | {city}", "Har hafte {thing} par naye videos! Collab: {email}",
        "{thing} ka deewana {emoji} #{tag}", "{niche_phrase} - {city} se {link}",
    ),
    "ar": (
        "{emoji} {niche_phrase} من {city}", "فيديوهات جديدة كل أسبوع عن {thing}. للتواصل: {email}",
        "{niche_phrase} | #{tag}", "أحب {thing} {emoji} {link}",
    ),
}

POST_TEXTS: dict[str, tuple[str, ...]] = {
    "en": (
        "New video is up! This one is all about {thing} {emoji}",
        "Hot take: {thing} is overrated. Fight me.",
        "Spent the whole weekend on {thing} and I regret nothing",
        "Question for you all: what's your go-to {thing}?",
        "Thread on {thing} - what I learned this year 🧵", "{thing} update: it finally worked!! {emoji}",
        "Can't stop thinking about {thing} today", "Reminder that {thing} doesn't have to be perfect",
    ),
    "es": (
        "¡Nuevo vídeo sobre {thing}! {emoji}", "Opinión impopular: {thing} está sobrevalorado",
        "Todo el finde con {thing} y feliz", "¿Cuál es vuestro {thing} favorito?",
    ),
    "pt": (
        "Vídeo novo sobre {thing} no ar! {emoji}", "Opinião polêmica: {thing} é superestimado",
        "Passei o fim de semana todo com {thing}", "Qual é o seu {thing} preferido?",
    ),
    "fr": (
        "Nouvelle vidéo sur {thing} ! {emoji}", "Avis impopulaire : {thing} est surcoté",
        "Tout le week-end sur {thing}, aucun regret", "C'est quoi votre {thing} préféré ?",
    ),
    "de": (
        "Neues Video über {thing} ist online! {emoji}", "Unpopuläre Meinung: {thing} wird überschätzt",
        "Ganzes Wochenende mit {thing} verbracht", "Was ist euer liebstes {thing}?",
    ),
    "it": (
        "Nuovo video su {thing}! {emoji}", "Opinione impopolare: {thing} è sopravvalutato",
        "Weekend intero dedicato a {thing}", "Qual è il vostro {thing} preferito?",
    ),
    "hi": (
        "Naya video aa gaya, {thing} par! {emoji}", "Unpopular opinion: {thing} overrated hai",
        "Pura weekend {thing} mein nikal gaya", "Aapka favourite {thing} kaunsa hai?",
    ),
    "ar": (
        "فيديو جديد عن {thing}! {emoji}", "رأي غير شائع: {thing} مبالغ فيه",
        "قضيت عطلة الأسبوع كلها مع {thing}", "ما هو {thing} المفضل لديكم؟",
    ),
}

NICHE_PHRASES: dict[str, str] = {
    "cooking": "Home cook & baker",
    "gaming": "Games, speedruns and chaos",
    "tech": "Tech reviews and builds",
    "travel": "Slow travel stories",
    "fitness": "Coach for normal humans",
    "music": "Musician and producer",
    "beauty": "Skincare nerd",
    "finance": "Money talk without the jargon",
    "comedy": "Sketches about everything",
    "science": "Science for curious people",
    "pets": "Two dogs, one cat, zero chill",
    "diy": "Maker and tinkerer",
    "fashion": "Thrift queen and stylist",
}

PERSON_WORDS = ("human", "nerd", "dad", "mum", "student", "teacher", "nurse", "engineer")
FAN_WORDS = ("fan", "lover", "daily", "official", "real", "the", "just", "hey", "its", "mr", "ms", "xo")
# fmt: on


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only ("Sofía" -> "sofia")."""
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm.lower() if c.isascii() and c.isalnum())


def pick_language(r: random.Random) -> str:
    return r.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]


def pick_niche(r: random.Random) -> Niche:
    return r.choices(NICHES, weights=NICHE_WEIGHTS)[0]


NICHE_BY_KEY = {n.key: n for n in NICHES}


def fill(template: str, r: random.Random, niche: Niche, **extra: str) -> str:
    values = {
        "thing": r.choice(niche.things),
        "n": str(r.choice((3, 5, 7, 10, 12, 14, 21, 30, 48, 100))),
        "year": str(r.choice((2024, 2025, 2026))),
        "emoji": niche.emoji,
    }
    values.update(extra)
    return template.format(**values)


def title(r: random.Random, niche: Niche, language: str) -> str:
    if language != "en" and r.random() < 0.7:
        return fill(r.choice(LOCAL_TITLES[language]), r, niche)
    t = fill(r.choice(niche.titles), r, niche)
    return t[0].upper() + t[1:]


def biography(r: random.Random, niche: Niche, language: str, handle_slug: str, website: str | None) -> str:
    if r.random() < 0.05:
        return ""
    template = r.choice(BIOS[language])
    city = r.choice(CITIES[language])
    email = f"{handle_slug}@{r.choice(('gmail.com', 'outlook.com', 'proton.me', 'studio.' + handle_slug + '.com'))}"
    link = website or f"https://linktr.ee/{handle_slug}"
    return template.format(
        emoji=niche.emoji,
        niche_phrase=NICHE_PHRASES[niche.key],
        city=city,
        email=email,
        link=link,
        thing=r.choice(niche.things),
        since=str(r.choice((2012, 2015, 2018, 2020, 2022))),
        person=r.choice(PERSON_WORDS),
        tag=r.choice(niche.hashtags),
    )


def post_text(r: random.Random, niche: Niche, language: str) -> str:
    return fill(r.choice(POST_TEXTS[language]), r, niche)

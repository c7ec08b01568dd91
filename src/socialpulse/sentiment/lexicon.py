"""A small hand-written sentiment lexicon: emoji, emoticons, negations and common
polar words in the eight supported languages (English, Arabic, French, German,
romanised Hindi, Italian, Portuguese, Spanish).

It feeds two cue features (``pos`` and ``neg``) of the linear model; the model's own
hashed word weights carry the rest. Entries are lower-case, as tokens are.
"""

from __future__ import annotations

import re

_POSITIVE_EMOJI = (
    "😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩🥳😇😻😸😹😺😽😜😝😛🤪😌☺😏"
    "💕💖💗💘💙💚💛💜🧡🤍🤎❤♥💞💓💝💟💌😽👍👏🙌🎉🎊🥂🍾✨🌟⭐💯🔥💪🙏👌✌🤝"
    "🌹🌸💐🌺🌷🏆🥇🎂🎁☀🌈🫶🥹"
)
_NEGATIVE_EMOJI = "😞😔😟😕🙁☹😣😖😫😩😢😭😤😠😡🤬😒🙄😑😬😰😨😱😥😓💔👎🤮🤢😷🤒😪😵🤦😿😾🖕💩👿😈🤡🥀😧😦"
_MILD_NEGATIVE_EMOJI = "😐😶🤔🤨😳"

_POSITIVE_WORDS = """
love loved loves lovely loving like liked likes good great awesome amazing excellent best better
beautiful nice happy happiness glad fun funny cool wonderful fantastic perfect brilliant super
enjoy enjoyed win won winning winner thank thanks thx congrats congratulations proud excited exciting
blessed cute sweet favorite favourite lol haha hahaha yay wow glory hope hopefully smile incredible
adorable gorgeous fabulous impressive success successful support beauty kind pleased delighted
epic legend legendary superb stunning fine grateful positive peace joy welcome recommend
amour aime aimer adore bien bon bonne bravo merci génial genial magnifique superbe heureux heureuse
belle beau parfait excellent excellente top cool félicitations felicitations joie sympa meilleur
meilleure formidable merveilleux chouette plaisir réussite reussite fier fière vive
liebe lieben liebt gut gute guten toll super schön schon danke glücklich glucklich freude
perfekt großartig grossartig wunderbar klasse geil spitze herzlichen glückwunsch gluckwunsch
genial prima stolz beste besten hoffnung lustig cool
amor amo encanta bueno buena buenos buenas genial gracias feliz felices excelente hermoso hermosa
perfecto perfecta maravilloso maravillosa increíble increible bonito bonita mejor alegría alegria
felicidades enhorabuena guapa guapo orgulloso éxito exito divertido jaja jajaja jeje
amore amo bello bella bellissimo bellissima bravo brava grazie felice ottimo ottima perfetto
fantastico fantastica meraviglioso meravigliosa buon buona buono migliore complimenti auguri
evviva grande splendido splendida divertente orgoglioso successo
amor adoro lindo linda maravilhoso maravilhosa obrigado obrigada feliz ótimo otimo ótima otima
excelente perfeito perfeita bom boa melhor parabéns parabens alegria incrível incrivel
sucesso orgulho orgulhoso legal kk rs rsrs top demais
accha acha achha achi acchi badhiya badiya mast zabardast shandaar shandar pyar pyaar khush
khushi shukriya dhanyavad sahi wah waah jai mubarak badhai sundar superhit
حب احب أحب جميل جميلة رائع رائعة ممتاز ممتازة سعيد سعيدة شكرا الحمدلله مبروك
تحياتي أفضل افضل نجاح فرح سعادة يسلم تسلم حلو حلوة روعة مبدع عظيم
"""

_NEGATIVE_WORDS = """
hate hated hates hating bad worse worst awful terrible horrible sad sadly angry annoying annoyed
sucks suck sucked stupid idiot dumb disappointed disappointing disappointment fail failed failure
poor ugly wrong hurt pain sorry sick tired boring bored mess disgusting disgusted shame shameful
fear scared afraid upset crying cry cried dead die died death kill killed rip unfortunately
lost lose losing loser problem problems worried worry evil useless pathetic ridiculous damn
shit fuck fucking crap wtf hell fake liar lies corrupt attack war terror terrorist victims
nul nulle mauvais mauvaise triste horrible honte déteste deteste hais pire colère colere peur
malheureusement dommage merde con connard catastrophe échec echec mort morts tristesse énervé
enerve inacceptable scandale scandaleux pourri arnaque
schlecht schlechte traurig hasse scheiße scheisse mist leider schade angst wut dumm blöd blod
schrecklich furchtbar katastrophe tot tote schlimm ärgerlich argerlich enttäuscht enttauscht
nervig peinlich lüge luge skandal versagen
malo mala malos malas triste odio odiar horrible terrible peor miedo asco vergüenza verguenza
lamentable desgraciadamente lamentablemente mierda muerte muerto muertos culpa rabia
desastre fracaso asqueroso pena dolor corrupto corrupción corrupcion
brutto brutta cattivo cattiva triste odio orribile terribile peggio peggiore paura vergogna
purtroppo schifo merda morte morto morti rabbia disastro delusione deluso delusa male
tristeza ódio odeio horrível horrivel terrível terrivel pior medo vergonha infelizmente
merda morte morreu raiva desastre ruim péssimo pessimo péssima pessima chato chata droga
bura buri bekar bakwas bakwaas ghatiya gussa nafrat dukh dukhi sharam chor kutta kutte gadha
pagal bewakoof bevkoof kamina kamine ganda gandi jhooth jhoota bekaar faltu
حزين حزينة سيء سيئ سيئة كره أكره اكره للأسف للاسف غبي فاشل فشل مؤلم ألم خوف قتل قتلى موت
حرام ظلم كارثة مشكلة زفت حقير خسارة إرهاب ارهاب
"""

_MILD_NEGATIVE_WORDS = "meh ugh hmm bof naja boh pff"

NEGATIONS = frozenset(
    """
not no never nothing nobody none neither nor cannot cant dont doesnt didnt isnt wasnt arent werent
wont wouldnt shouldnt couldnt aint hardly without
ne pas jamais rien personne sans aucun aucune
nicht kein keine keinen keiner keinem keines nie niemals nichts ohne
nunca nada nadie ni sin jamás jamas tampoco
non mai niente nessuno nessuna senza né
não nao ninguém ninguem nem sem
لا ما لم لن ليس ليست مش مو بدون غير
nahi nahin nhi nai mat bina
""".split()
)


def _polarity() -> dict[str, float]:
    table: dict[str, float] = {}
    for word in _POSITIVE_WORDS.split():
        table[word] = 1.0
    for word in _NEGATIVE_WORDS.split():
        table[word] = -1.0
    for word in _MILD_NEGATIVE_WORDS.split():
        table[word] = -0.5
    for ch in _POSITIVE_EMOJI:
        table[ch] = 1.0
    for ch in _NEGATIVE_EMOJI:
        table[ch] = -1.0
    for ch in _MILD_NEGATIVE_EMOJI:
        table.setdefault(ch, -0.3)
    table.update(
        {
            ":)": 1.0,
            ";)": 1.0,
            ":d": 1.0,
            "xd": 1.0,
            ":p": 0.5,
            ";p": 0.5,
            "xp": 0.5,
            "<3": 1.0,
            "^^": 1.0,
            ":3": 0.5,
            ":*": 1.0,
            ":')": 1.0,
            ":(": -1.0,
            ":'(": -1.0,
            "</3": -1.0,
            ":/": -0.5,
            ":|": -0.3,
            "d:": -1.0,
            "-_-": -0.7,
            ":@": -1.0,
        }
    )
    return table


POLARITY: dict[str, float] = _polarity()

_REPEATS = re.compile(r"(.)\1+")
_MOUTHS = {"]": ")", "[": "(", "\\": "/", "|": "|", "3": "3", "*": "*", "@": "@"}


def canonical_emoticon(tok: str) -> str:
    """One spelling per emoticon: ``:-)``, ``=)``, ``:))`` and ``(:`` all become ``:)``."""
    t = _REPEATS.sub(r"\1", tok.lower())
    if "3" in t and "<" in t:
        return "</3" if "/" in t else "<3"
    if "^" in t:
        return "^^"
    if "_" in t or "." in t:
        return "-_-" if t[0] in "-=" else "o.o"
    tear = "'" in t
    t = t.replace("-", "").replace("'", "").replace("o", "").replace("*", "*")
    if not t:
        return tok
    if t[0] in ":;=x>":
        eyes = ";" if ";" in t[:2] else ("x" if t[0] == "x" else ":")
        mouth = t[-1]
        mouth = _MOUTHS.get(mouth, mouth)
        if eyes == "x" and mouth in ")(":
            eyes = ":"
        if tear and mouth in ")(":
            return f":'{mouth}"
        return f"{eyes}{mouth}"
    # mouth first: (:  ):  D:
    first = t[0]
    if first in "([":
        return ":)"
    if first in ")]":
        return ":("
    if first == "d":
        return "d:"
    return ":/"

"""How long a post is by each network's own rules, and whether it fits.

Mirrored rule for rule by static/social/post-length.js, so the editor's live
count and the server's refusal agree (the browser parity test checks this).

- X: weighted length by the twitter-text v3 configuration (text NFC-normalised;
  U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, other
  code points 2; every URL, with or without a scheme, 23; an emoji sequence 2).
- Mastodon: grapheme clusters after each URL with a scheme becomes 23
  characters and each mention @user@domain becomes @user, as the server's
  StatusLengthValidator counts. Bare domains are not links there, so they
  count as typed.
- Bluesky: at most 300 grapheme clusters and at most 3000 UTF-8 bytes.

Networks without a length rule here (Facebook, LinkedIn, WhatsApp, Instagram)
are ignored.
"""

import unicodedata
from dataclasses import dataclass

import regex

X_LIMIT = 280
MASTODON_LIMIT = 500
BLUESKY_GRAPHEME_LIMIT = 300
BLUESKY_BYTE_LIMIT = 3000
URL_LENGTH = 23

NETWORK_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}

# twitter-text v3: (first, last, weight); everything else weighs 2.
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# ccTLDs in use, and the generic TLDs a post is likely to name. A bare domain
# (no scheme) is a link only with one of these, as twitter-text requires.
_CC_TLD_TEXT = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz "
    "ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk "
    "fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq "
    "ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh "
    "mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk "
    "pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz "
    "tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
)
_G_TLD_TEXT = (
    "academy aero agency app art asia bbc berlin biz blog blue care cat charity city cloud club college "
    "com community company coop cymru design dev digital edu email events foundation fun fund game games "
    "gives gmbh gov group guru health help info ink int jobs life link live london love media mil mobi "
    "museum music name net network news ngo nhs ong online org page photo photos police post pro radio "
    "school scot services shop site social software solutions space store studio support systems team "
    "tech tel today top training travel tube university video vip wales website wiki work world xxx xyz "
    "youtube"
)
_CC_TLDS = _CC_TLD_TEXT.split()
_G_TLDS = _G_TLD_TEXT.split()
# Longest first, so that "co" does not win over "com".
_KNOWN_TLDS = "|".join(sorted(set(_CC_TLDS + _G_TLDS), key=lambda t: (-len(t), t)))

# URL grammar after twitter-text's extractor (validDomain, validUrlPath, validUrlQuery),
# written only with constructs that Python's `regex` and JavaScript's /u regexes read alike.
_BAD_BEFORE = r"A-Za-z0-9@\uFF20$#\uFF03\uFFFE\uFEFF\uFFFF"
_DOMAIN_CHAR = (
    r"[^\p{White_Space}\p{Cc}!'\"#%&()*+,\\\-./:;<=>?@\[\]^_\x60{|}~$"
    r"\uFFFE\uFEFF\uFFFF\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]"
)
_SUBDOMAIN = rf"{_DOMAIN_CHAR}(?:(?:{_DOMAIN_CHAR}|[_\-])*{_DOMAIN_CHAR})?\."
_DOMAIN_NAME = rf"{_DOMAIN_CHAR}(?:(?:{_DOMAIN_CHAR}|-)*{_DOMAIN_CHAR})?\."
_TLD_END = r"(?![0-9A-Za-z@+\-])"
# With a scheme, any alphabetic TLD, a punycode one or one in another script.
_ANY_TLD = (
    rf"(?:[a-z]{{2,63}}{_TLD_END}|xn--[0-9a-z]+{_TLD_END}|[^\x00-\x7F\p{{White_Space}}\p{{P}}\p{{S}}\p{{C}}\p{{N}}]+)"
)
_SCHEME_HOST = rf"(?:{_SUBDOMAIN})*{_DOMAIN_NAME}{_ANY_TLD}"
_ASCII_SUBDOMAIN = r"[a-z0-9](?:[a-z0-9_\-]*[a-z0-9])?\."
_ASCII_DOMAIN_NAME = r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\."
_BARE_HOST = rf"(?:{_ASCII_SUBDOMAIN})*{_ASCII_DOMAIN_NAME}(?:{_KNOWN_TLDS}){_TLD_END}"
_PORT = r"(?::[0-9]+)?"

_ACCENTS = r"\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0300-\u036F\u1E00-\u1EFF\u0400-\u04FF"
_X_PATH_CHAR = rf"[a-z0-9!*';:=+,.$/%#\[\]\-\u2013_~&|@{_ACCENTS}]"
_X_PATH_END = rf"[a-z0-9=_#/+\-{_ACCENTS}]"
_X_PARENS = rf"\({_X_PATH_CHAR}*\)"
_X_PATH = rf"/(?:(?:{_X_PATH_CHAR}|{_X_PARENS})*(?:{_X_PATH_END}|{_X_PARENS}))?"
_X_QUERY = r"\?[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@]*[a-z0-9\-_&=#/]"
_X_URL = regex.compile(
    rf"(?<![{_BAD_BEFORE}])https?://(?P<host>{_SCHEME_HOST}){_PORT}(?:{_X_PATH})?(?:{_X_QUERY})?"
    rf"|(?<![{_BAD_BEFORE}\-_./])(?P<bare>{_BARE_HOST}){_PORT}(?P<path>{_X_PATH})?(?:{_X_QUERY})?",
    regex.IGNORECASE,
)
# twitter-text: a bare "name.cc" with no path is not a link ("readme.md"), except t.co.
_SHORT_CC_DOMAIN = regex.compile(rf"[a-z0-9\-]+\.(?:{'|'.join(_CC_TLDS)})", regex.IGNORECASE)

# Mastodon's config/initializers/twitter_regex.rb loosens paths and queries.
_UCHARS = r"\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF\U00010000-\U0010FFFD"
_M_PATH_CHAR = r"[^\p{White_Space}<>()?]"
_M_PATH_END = "[^\\p{White_Space}()?!*\"'\u300c\u300d<>;:=,.$%\\[\\]~&|@]"
_M_PARENS = rf"\({_M_PATH_CHAR}+\)"
_M_PATH = rf"/(?:(?:{_M_PATH_CHAR}|{_M_PARENS})*(?:{_M_PATH_END}|{_M_PARENS}))?"
_M_QUERY = rf"\?[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@^{_UCHARS}]*[a-z0-9_&=#/\-{_UCHARS}]"
_M_URL = regex.compile(
    rf"(?<![{_BAD_BEFORE}])(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://"
    rf"(?P<host>{_SCHEME_HOST}){_PORT}(?:{_M_PATH})?(?:{_M_QUERY})?",
    regex.IGNORECASE,
)
# Mastodon's Account::MENTION_RE; [[:word:]] is letters, marks, digits and connectors.
_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"
_M_MENTION = regex.compile(
    rf"(?<![=/{_WORD}])@(?P<user>[a-z0-9_]+(?:[a-z0-9_.\-]+[a-z0-9_]+)?)(?:@[{_WORD}.\-]+[{_WORD}]+)?",
    regex.IGNORECASE,
)
_M_MENTION_END = regex.compile(r"[@\uFF20\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F]|://")
_BLANK = regex.compile(r"\p{White_Space}*")

_GRAPHEME = regex.compile(r"\X")
# A grapheme cluster that is drawn as one emoji: a flag, a keycap, a pictograph
# with emoji presentation, or one followed by VS16, a skin tone, a ZWJ or tags.
_EMOJI_CLUSTER = regex.compile(
    r"\p{Regional_Indicator}\p{Regional_Indicator}"
    r"|[0-9#*]\uFE0F?\u20E3"
    r"|\p{Extended_Pictographic}[\p{Emoji_Modifier}\uFE0F\u200D\U000E0020-\U000E007F]"
    r"|\p{Emoji_Presentation}"
)


def _graphemes(text: str) -> list[str]:
    return _GRAPHEME.findall(text)


def _code_point_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(first <= code <= last for first, last in _X_LIGHT_RANGES) else 2


def _x_weight(text: str) -> int:
    total = 0
    for cluster in _graphemes(text):
        if _EMOJI_CLUSTER.match(cluster):
            total += 2
        else:
            total += sum(_code_point_weight(char) for char in cluster)
    return total


def _host_is_valid(host: str) -> bool:
    """Every label fits in 63 characters once IDNA-encoded, as twitter-text checks."""
    for label in host.split("."):
        size = len(label) if label.isascii() else 4 + len(label.encode("punycode"))
        if size > 63:
            return False
    return True


def _x_url_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _X_URL.finditer(text):
        host = match.group("host") or match.group("bare")
        if not _host_is_valid(host):
            continue
        if match.group("bare") and not match.group("path"):
            bare = match.group("bare")
            if bare.lower() != "t.co" and _SHORT_CC_DOMAIN.fullmatch(bare):
                continue
        spans.append(match.span())
    return spans


def x_weighted_length(text: str) -> int:
    """The weighted length X gives `text` (twitter-text v3); a post fits when it is at most 280."""
    normalised = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    total = 0
    position = 0
    for start, end in _x_url_spans(normalised):
        total += _x_weight(normalised[position:start]) + URL_LENGTH
        position = end
    return total + _x_weight(normalised[position:])


def mastodon_length(text: str) -> int:
    """Characters (grapheme clusters) Mastodon counts: URLs with a scheme as 23, @user@domain as @user."""
    if _BLANK.fullmatch(text):
        return 0
    entities: list[tuple[int, int, str]] = []
    for match in _M_URL.finditer(text):
        if _host_is_valid(match.group("host")):
            entities.append((match.start(), match.end(), "x" * URL_LENGTH))
    for match in _M_MENTION.finditer(text):
        if not _M_MENTION_END.match(text, match.end()):
            entities.append((match.start(), match.end(), "@" + match.group("user")))
    entities.sort(key=lambda entity: entity[0])
    pieces = []
    position = 0
    for start, end, replacement in entities:
        if start < position:
            continue  # overlaps the entity before it
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    return len(_graphemes("".join(pieces)))


def bluesky_graphemes(text: str) -> int:
    """Grapheme clusters (user-perceived characters) in `text`, as Bluesky counts them."""
    return len(_graphemes(text))


def bluesky_bytes(text: str) -> int:
    """Bytes of `text` in UTF-8."""
    return len(text.encode("utf-8", errors="surrogatepass"))


@dataclass(frozen=True)
class LengthCheck:
    """One network's length rule applied to one post."""

    network: str
    length: int
    limit: int
    unit: str
    ok: bool

    @property
    def message(self) -> str:
        name = NETWORK_NAMES.get(self.network, self.network)
        suffix = " bytes" if self.unit == "bytes" else ""
        return f"{name} allows {self.limit} {self.unit}; this post is {self.length}{suffix}"


def _check(network: str, length: int, limit: int, unit: str = "characters") -> LengthCheck:
    return LengthCheck(network=network, length=length, limit=limit, unit=unit, ok=length <= limit)


def post_length_checks(text: str, networks: list[str], *, mastodon_limit: int = MASTODON_LIMIT) -> list[LengthCheck]:
    """The length checks that apply to `text` on `networks`, in the order X, Mastodon, Bluesky."""
    wanted = set(networks)
    checks = []
    if "x" in wanted:
        checks.append(_check("x", x_weighted_length(text), X_LIMIT))
    if "mastodon" in wanted:
        checks.append(_check("mastodon", mastodon_length(text), mastodon_limit))
    if "bluesky" in wanted:
        checks.append(_check("bluesky", bluesky_graphemes(text), BLUESKY_GRAPHEME_LIMIT))
        checks.append(_check("bluesky", bluesky_bytes(text), BLUESKY_BYTE_LIMIT, "bytes"))
    return checks


def post_length_problems(text: str, networks: list[str], *, mastodon_limit: int = MASTODON_LIMIT) -> list[str]:
    """Why `text` is too long for any of `networks`; empty when it fits them all."""
    return [
        check.message for check in post_length_checks(text, networks, mastodon_limit=mastodon_limit) if not check.ok
    ]

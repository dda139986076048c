"""Post length rules for X, Mastodon and Bluesky.

The texts here are also the corpus that the browser test
(hub/core/tests/browser/test_post_length_parity.py) runs through
static/social/post-length.js to check that it counts exactly as this module does.
"""

import pytest

from hub.social.lengths import (
    LengthCheck,
    bluesky_bytes,
    bluesky_graphemes,
    mastodon_length,
    post_length_checks,
    post_length_problems,
    x_weighted_length,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man, woman, girl, boy joined by ZWJ
UK_FLAG = "\U0001f1ec\U0001f1e7"  # regional indicators G, B
ENGLAND_FLAG = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # black flag + tags
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"
HEART_ON_FIRE = "\u2764\ufe0f\u200d\U0001f525"  # Emoji 13.1
HANDSHAKE_TONES = "\U0001faf1\U0001f3fb\u200d\U0001faf2\U0001f3ff"  # Emoji 14.0
KEYCAP_ONE = "1\ufe0f\u20e3"
WAVE_MEDIUM_SKIN = "\U0001f44b\U0001f3fd"

# Official twitter-text conformance cases, from twitter/twitter-text
# conformance/tests/validate.yml (commit 3b8031c80efe49f16fd282a55e28eb23aef2ad85):
# every case of "WeightedTweetsWithDiscountedEmojiCounterTest" (the v3 rules, emoji
# sequences discounted) and "UnicodeDirectionalMarkerCounterTest", weightedLength only.
# Emoji and invisible characters are written as escapes. The 12079 case repeats its
# label 249 times: that is the count its displayRangeEnd (12075) implies.
_POEM = (
    "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
    "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
    "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
    "遥知兄弟登高处，遍插茱萸少一人。"
)
_KANA = "あいうえおかきくけこ"
_LONG_LABEL_URL = "https://" + "somesuperlongurl" * 249 + ".com/foo"
_PUNCTUATION = (
    "This is a tweet with general punctuation characters: "
    + "".join(chr(code) for code in range(0x2000, 0x200C))
    + " "
    + " ".join(chr(code) for code in range(0x2010, 0x2017))
    + "  "
    + " ".join(chr(code) for code in [*range(0x2017, 0x2020), *range(0x2032, 0x2038)])
)
X_CONFORMANCE = [
    ("Regular Tweet with url", "Hi http://test.co", 26),
    ("Just url", "http://test.co", 23),
    ("Long tweet, overflow at char index 280", "285 chars-" + "xxxxxxxxxx-" * 25, 285),
    (
        "Long tweet with url in the middle",
        "285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24,
        299,
    ),
    ("Long tweet with url at the end", "xxxxxxxxxx-" * 24 + " http://www.twitter.com/jack ", 289),
    ("10 url string, no overflow", "https://www.twitter.com/aloha " * 10, 240),
    ("160 CJK char", _POEM, 320),
    ("160 emoji char", "\U0001f637" * 160, 320),
    ("3 latin char + 160 CJK char", "the" + _POEM, 323),
    ("282 chars with a normalized character", "282 chars-" + "xxxxxxxxxx-" * 24 + "xxxxxA\u0301x", 281),
    ("mix of single and double word characters", "H\U0001f431\u263a" + FAMILY, 7),
    ("emoji inside the basic multilingual plane", "\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),
    ("emoji with skin tone modifiers", "\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),
    ("General Punctuation with visible spaces, no ZWJ/ZWNJ", _PUNCTUATION, 110),
    (
        "long url with invalid domain labels and short url",
        "Long url with invalid domain labels and a short url: " + (_LONG_LABEL_URL + " ") * 3 + "https://validurl.com",
        12079,
    ),
    ("64 character domain without protocol", "randomurl" * 7 + "s.com", 68),
    ("host over 63 punycode characters", _KANA * 12 + " http://" + _KANA * 5 + "あいう.com", 358),
    ("host under 63 punycode characters", _KANA * 12 + " http://" + _KANA * 5 + "あい.com", 264),
    ("140 family emoji", FAMILY * 140, 280),
    (
        "Unicode 10.0 emoji",
        "Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; " + ENGLAND_FLAG,
        34,
    ),
    ("Unicode 9.0 emoji", "Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe", 29),
    ("invalid characters", "ABC\u202a\uffffABC\ufffe", 12),
    (
        "directional characters",
        "\u2066\u202ahttp://foobar.\u067e\u0627\u06a9\u0633\u062a\u0627\u0646/\u202c\u2069",
        31,
    ),
    # From the "lengths" section of conformance/validate.yml (commit 23ecda3415cd02710f2870a429ea0b26f08f1b48);
    # its URL rules are unchanged in v3 (its non-Latin cases used v1 weights, so are left out).
    ("Count the number of characters", "This is a test.", 15),
    ("URL starting with http://", "http://test.com", 23),
    ("URL starting with https://", "https://test.com", 23),
    ("URL without protocol", "test.com", 23),
    ("multiple URLs", "Test https://test.com test https://test.com test.com test", 86),
]

# The eleven "Suggested Tweets" of the CSE Day 2018 partnership briefing.
SEED_TWEETS = [
    "I'm supporting #CSEDay18 in West Sussex #StandAgainstCSE",
    "West Sussex Stands Up against #CSE #StandAgainstCSE",
    "I'm standing up against #CSE #CSEDay18 #StandAgainstCSE",
    "Together let's raise our hands to stop #CSE #HelpingHands #CSEDay18 #StandAgainstCSE",
    "Unite against the rape and sexual abuse of children within West Sussex #CSEDay18 #StandAgainstCSE",
    "All hands together can prevent #CSE #CSEDay18 #StandAgainstCSE",
    "What are you doing on #CSEDay18 to say 'NO' to #CSE?",
    "Educate your children on how to spot the signs of #CSE",
    "Stop #CSE and trafficking in our country #CSEDay18",
    "We *all* have to take #CSE and trafficking seriously and protect our children #CSEDay18 #StandAgainstCSE",
    "Speak out against inappropriate relationships when they involve children #CSE",
]

# More texts for the browser parity check: each feature the rules depend on.
OWN_TEXTS = [
    "",
    "   ",
    "Line one\r\nline two\rthree\n",
    "日本語のテキスト",
    "안녕하세요",
    "Привет, мир",
    "مرحبا بالعالم",
    "e\u0301 and \u00e9",
    "q\u0307\u0323 stacked marks",
    FAMILY + UK_FLAG + ENGLAND_FLAG + RAINBOW_FLAG,
    HEART_ON_FIRE + HANDSHAKE_TONES + KEYCAP_ONE + WAVE_MEDIUM_SKIN,
    "\u00a9 \u00ae \u2122 \u263a \u263a\ufe0f \u2764 \u2764\ufe0f",
    "\U0001f600" * 300,
    FAMILY * 300,
    "Read more at https://www.westsussex.gov.uk/cse?utm_source=x. Thanks!",
    "Visit westsussex.gov.uk/cse or www.x.co today",
    "See example.org/path, and example.org.",
    "readme.md and t.co and foo.co.jp",
    "(see https://en.wikipedia.org/wiki/Child_(disambiguation)) here",
    "http://localhost:8000/ and http://192.168.0.1/ are not links",
    "Ask @someone@mastodon.social and @other about https://mastodon.social/@someone",
    "email@example.com is not a mention",
    "gemini://example.org/capsule and ftp://example.org/file",
    "http://例え.jp/パス and https://xn--r8jz45g.jp/",
    "Tab\tand\u00a0no-break\u2003em space",
    "\u0915\u094d\u0937\u0924\u094d\u0930\u093f\u092f",
    "a" * 281,
    "\U0001f1ec\U0001f1e7\U0001f1ec",
    "Fullwidth \uff20user \uff03tag",
]

CORPUS = [text for _, text, _ in X_CONFORMANCE] + SEED_TWEETS + OWN_TEXTS


@pytest.mark.parametrize(("description", "text", "expected"), X_CONFORMANCE, ids=[c[0] for c in X_CONFORMANCE])
def test_x_weighted_length_passes_twitter_text_conformance(description, text, expected):
    assert x_weighted_length(text) == expected


@pytest.mark.parametrize("tweet", SEED_TWEETS)
def test_seed_suggested_tweets_fit_every_network(tweet):
    assert post_length_problems(tweet, ["x", "mastodon", "bluesky"]) == []
    assert x_weighted_length(tweet) == len(tweet)  # plain Latin text weighs 1 a character


def test_x_cjk_characters_weigh_two():
    assert x_weighted_length("日本語") == 6
    assert x_weighted_length("안녕") == 4
    assert x_weighted_length("abc日本") == 7
    assert x_weighted_length("日" * 140) == 280
    assert post_length_problems("日" * 141, ["x"]) == ["X allows 280 characters; this post is 282"]


def test_x_latin_cyrillic_and_arabic_weigh_one():
    assert x_weighted_length("Привет") == 6
    assert x_weighted_length("مرحبا") == 5


@pytest.mark.parametrize(
    "emoji", [FAMILY, UK_FLAG, ENGLAND_FLAG, RAINBOW_FLAG, HEART_ON_FIRE, HANDSHAKE_TONES, KEYCAP_ONE, WAVE_MEDIUM_SKIN]
)
def test_x_emoji_sequence_counts_two(emoji):
    assert x_weighted_length(emoji) == 2
    assert x_weighted_length("Hi " + emoji) == 5


def test_x_text_style_symbols_count_by_code_point():
    assert x_weighted_length("\u00a9") == 1  # © without VS16 is text, and below U+10FF
    assert x_weighted_length("\u00a9\ufe0f") == 2  # with VS16 it is an emoji
    assert x_weighted_length("\u2122") == 2  # ™ is outside the light ranges


def test_x_normalises_to_nfc():
    assert x_weighted_length("e\u0301") == 1
    assert x_weighted_length("\u00e9") == 1
    assert x_weighted_length("q\u0307") == 2  # no precomposed form: two code points


def test_x_counts_windows_line_ending_once():
    assert x_weighted_length("a\r\nb") == 3


@pytest.mark.parametrize(
    "url",
    [
        "https://www.westsussex.gov.uk/some/very/long/path/to/a/page/about/cse?utm_source=twitter",
        "http://example.org",
        "example.org/path",
        "www.x.co",
        "westsussex.gov.uk",
        "t.co",
    ],
)
def test_x_every_url_counts_23_with_or_without_scheme(url):
    assert x_weighted_length(url) == 23
    assert x_weighted_length(f"Read {url} now") == 5 + 23 + 4


def test_x_url_leaves_trailing_punctuation_outside():
    assert x_weighted_length("See example.org.") == 4 + 23 + 1
    assert x_weighted_length("(https://example.org/a)") == 1 + 23 + 1


def test_x_things_that_are_not_links_count_as_typed():
    assert x_weighted_length("readme.md") == 9  # a short name with a ccTLD and no path
    assert x_weighted_length("http://localhost:8000/") == 22
    assert x_weighted_length("email@example.com") == 17
    assert x_weighted_length("file.unknowntld") == 15


def test_mastodon_counts_urls_with_a_scheme_as_23():
    long_url = "https://www.westsussex.gov.uk/some/very/long/path/to/a/page/about/cse?utm_source=mastodon"
    assert mastodon_length(long_url) == 23
    assert mastodon_length("http://example.org") == 23
    assert mastodon_length(f"Read {long_url} now") == 5 + 23 + 4
    assert mastodon_length("gemini://example.org/capsule") == 23


def test_mastodon_counts_bare_domains_as_typed():
    # Mastodon's StatusLengthValidator extracts URLs with extract_url_without_protocol: false,
    # so a bare domain is not a link there and every character counts.
    assert mastodon_length("example.org/path") == 16
    assert mastodon_length("www.x.co") == 8


def test_mastodon_mention_counts_only_the_username():
    assert mastodon_length("@someone@mastodon.social") == len("@someone")
    assert mastodon_length("Thanks @someone@mastodon.social!") == len("Thanks @someone!")
    assert mastodon_length("@someone") == 8
    assert mastodon_length("email@example.com") == 17  # not a mention


def test_mastodon_counts_user_perceived_characters():
    assert mastodon_length(FAMILY) == 1
    assert mastodon_length("e\u0301") == 1
    assert mastodon_length("日本語") == 3
    assert mastodon_length("   ") == 0  # blank text counts nothing


def test_mastodon_limit_is_a_parameter():
    assert post_length_problems("a" * 500, ["mastodon"]) == []
    assert post_length_problems("a" * 501, ["mastodon"]) == ["Mastodon allows 500 characters; this post is 501"]
    assert post_length_problems("a" * 501, ["mastodon"], mastodon_limit=1000) == []
    assert post_length_problems("a" * 600, ["mastodon"], mastodon_limit=550) == [
        "Mastodon allows 550 characters; this post is 600"
    ]


def test_bluesky_counts_graphemes_and_bytes():
    assert bluesky_graphemes(FAMILY) == 1
    assert bluesky_bytes(FAMILY) == 25
    assert bluesky_graphemes("e\u0301" * 300) == 300  # combining characters count once
    assert bluesky_bytes("e\u0301" * 300) == 900
    assert bluesky_graphemes("日本語") == 3
    assert bluesky_bytes("日本語") == 9


def test_bluesky_300_emoji_fit_although_they_are_more_than_300_bytes():
    text = "\U0001f600" * 300
    assert bluesky_graphemes(text) == 300
    assert bluesky_bytes(text) == 1200
    assert post_length_problems(text, ["bluesky"]) == []
    assert post_length_problems(text + "\U0001f600", ["bluesky"]) == ["Bluesky allows 300 characters; this post is 301"]


def test_bluesky_refuses_over_3000_bytes_even_within_300_graphemes():
    text = FAMILY * 121  # 121 graphemes, 3025 bytes
    assert post_length_problems(text, ["bluesky"]) == ["Bluesky allows 3000 bytes; this post is 3025 bytes"]
    assert post_length_problems(FAMILY * 120, ["bluesky"]) == []


def test_checks_come_in_network_order_and_ignore_networks_without_rules():
    checks = post_length_checks("Hello", ["bluesky", "facebook", "x", "linkedin", "mastodon", "whatsapp", "instagram"])
    assert [(c.network, c.unit) for c in checks] == [
        ("x", "characters"),
        ("mastodon", "characters"),
        ("bluesky", "characters"),
        ("bluesky", "bytes"),
    ]
    assert all(c.ok for c in checks)
    assert post_length_checks("Hello", ["facebook", "instagram"]) == []


def test_problems_name_each_network_over_its_limit_in_order():
    text = "x" * 301 + " " + "日" * 100
    assert post_length_problems(text, ["bluesky", "mastodon", "x"]) == [
        "X allows 280 characters; this post is 502",
        "Bluesky allows 300 characters; this post is 402",
    ]


def test_length_check_message():
    check = LengthCheck(network="x", length=293, limit=280, unit="characters", ok=False)
    assert check.message == "X allows 280 characters; this post is 293"
    check = LengthCheck(network="bluesky", length=3012, limit=3000, unit="bytes", ok=False)
    assert check.message == "Bluesky allows 3000 bytes; this post is 3012 bytes"


def test_corpus_is_big_enough_for_the_browser_parity_check():
    assert len(CORPUS) >= 40

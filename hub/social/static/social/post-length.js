// Post lengths by each network's own rules, counted live in the editor.
// The same rules as hub/social/lengths.py, which refuses a post on the server;
// hub/core/tests/browser/test_post_length_parity.py checks that both give the
// same numbers. Change one, change the other.
(function () {
  "use strict";

  var X_LIMIT = 280;
  var MASTODON_LIMIT = 500;
  var BLUESKY_GRAPHEME_LIMIT = 300;
  var BLUESKY_BYTE_LIMIT = 3000;
  var URL_LENGTH = 23;
  var NETWORK_NAMES = { x: "X", mastodon: "Mastodon", bluesky: "Bluesky" };
  var X_LIGHT_RANGES = [
    [0x0000, 0x10ff],
    [0x2000, 0x200d],
    [0x2010, 0x201f],
    [0x2032, 0x2037],
  ];

  var CC_TLDS = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz " +
    "ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk " +
    "fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq " +
    "ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh " +
    "mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk " +
    "pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz " +
    "tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
  ).split(" ");
  var G_TLDS = (
    "academy aero agency app art asia bbc berlin biz blog blue care cat charity city cloud club college " +
    "com community company coop cymru design dev digital edu email events foundation fun fund game games " +
    "gives gmbh gov group guru health help info ink int jobs life link live london love media mil mobi " +
    "museum music name net network news ngo nhs ong online org page photo photos police post pro radio " +
    "school scot services shop site social software solutions space store studio support systems team " +
    "tech tel today top training travel tube university video vip wales website wiki work world xxx xyz " +
    "youtube"
  ).split(" ");
  var KNOWN_TLDS = Array.from(new Set(CC_TLDS.concat(G_TLDS)))
    .sort(function (a, b) {
      return b.length - a.length || (a < b ? -1 : a > b ? 1 : 0);
    })
    .join("|");

  var BAD_BEFORE = String.raw`A-Za-z0-9@\uFF20$#\uFF03\uFFFE\uFEFF\uFFFF`;
  var DOMAIN_CHAR =
    String.raw`[^\p{White_Space}\p{Cc}!'"#%&()*+,\\\-./:;<=>?@\[\]^_\x60{|}~$` +
    String.raw`\uFFFE\uFEFF\uFFFF\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]`;
  var SUBDOMAIN = DOMAIN_CHAR + "(?:(?:" + DOMAIN_CHAR + String.raw`|[_\-])*` + DOMAIN_CHAR + String.raw`)?\.`;
  var DOMAIN_NAME = DOMAIN_CHAR + "(?:(?:" + DOMAIN_CHAR + "|-)*" + DOMAIN_CHAR + String.raw`)?\.`;
  var TLD_END = String.raw`(?![0-9A-Za-z@+\-])`;
  var ANY_TLD =
    "(?:[a-z]{2,63}" + TLD_END + "|xn--[0-9a-z]+" + TLD_END +
    String.raw`|[^\x00-\x7F\p{White_Space}\p{P}\p{S}\p{C}\p{N}]+)`;
  var SCHEME_HOST = "(?:" + SUBDOMAIN + ")*" + DOMAIN_NAME + ANY_TLD;
  var ASCII_SUBDOMAIN = String.raw`[a-z0-9](?:[a-z0-9_\-]*[a-z0-9])?\.`;
  var ASCII_DOMAIN_NAME = String.raw`[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.`;
  var BARE_HOST = "(?:" + ASCII_SUBDOMAIN + ")*" + ASCII_DOMAIN_NAME + "(?:" + KNOWN_TLDS + ")" + TLD_END;
  var PORT = "(?::[0-9]+)?";

  var ACCENTS = String.raw`\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0300-\u036F\u1E00-\u1EFF\u0400-\u04FF`;
  var X_PATH_CHAR = String.raw`[a-z0-9!*';:=+,.$/%#\[\]\-\u2013_~&|@` + ACCENTS + "]";
  var X_PATH_END = String.raw`[a-z0-9=_#/+\-` + ACCENTS + "]";
  var X_PARENS = String.raw`\(` + X_PATH_CHAR + String.raw`*\)`;
  var X_PATH = "/(?:(?:" + X_PATH_CHAR + "|" + X_PARENS + ")*(?:" + X_PATH_END + "|" + X_PARENS + "))?";
  var X_QUERY = String.raw`\?[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@]*[a-z0-9\-_&=#/]`;
  var X_URL = new RegExp(
    "(?<![" + BAD_BEFORE + "])https?://(?<host>" + SCHEME_HOST + ")" + PORT + "(?:" + X_PATH + ")?(?:" + X_QUERY + ")?" +
      "|(?<![" + BAD_BEFORE + String.raw`\-_./])(?<bare>` + BARE_HOST + ")" + PORT +
      "(?<path>" + X_PATH + ")?(?:" + X_QUERY + ")?",
    "giu"
  );
  var SHORT_CC_DOMAIN = new RegExp(String.raw`^[a-z0-9\-]+\.(?:` + CC_TLDS.join("|") + ")$", "iu");

  var UCHARS = String.raw`\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF\u{10000}-\u{10FFFD}`;
  var M_PATH_CHAR = String.raw`[^\p{White_Space}<>()?]`;
  var M_PATH_END = String.raw`[^\p{White_Space}()?!*"'\u300C\u300D<>;:=,.$%\[\]~&|@]`;
  var M_PARENS = String.raw`\(` + M_PATH_CHAR + String.raw`+\)`;
  var M_PATH = "/(?:(?:" + M_PATH_CHAR + "|" + M_PARENS + ")*(?:" + M_PATH_END + "|" + M_PARENS + "))?";
  var M_QUERY =
    String.raw`\?[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@^` + UCHARS + String.raw`]*[a-z0-9_&=#/\-` + UCHARS + "]";
  var M_URL = new RegExp(
    "(?<![" + BAD_BEFORE + "])(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://" +
      "(?<host>" + SCHEME_HOST + ")" + PORT + "(?:" + M_PATH + ")?(?:" + M_QUERY + ")?",
    "giu"
  );
  var WORD = String.raw`\p{L}\p{M}\p{Nd}\p{Pc}`;
  var M_MENTION = new RegExp(
    "(?<![=/" + WORD + String.raw`])@(?<user>[a-z0-9_]+(?:[a-z0-9_.\-]+[a-z0-9_]+)?)(?:@[` + WORD + String.raw`.\-]+[` +
      WORD + "]+)?",
    "giu"
  );
  var M_MENTION_END = /^(?:[@\uFF20\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F]|:\/\/)/u;
  var BLANK = /^\p{White_Space}*$/u;
  var EMOJI_CLUSTER =
    /^(?:\p{Regional_Indicator}\p{Regional_Indicator}|[0-9#*]\uFE0F?\u20E3|\p{Extended_Pictographic}[\p{Emoji_Modifier}\uFE0F\u200D\u{E0020}-\u{E007F}]|\p{Emoji_Presentation})/u;

  var segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  var encoder = new TextEncoder();

  function graphemes(text) {
    return Array.from(segmenter.segment(text), function (part) {
      return part.segment;
    });
  }

  function codePointWeight(code) {
    for (var i = 0; i < X_LIGHT_RANGES.length; i++) {
      if (code >= X_LIGHT_RANGES[i][0] && code <= X_LIGHT_RANGES[i][1]) {
        return 1;
      }
    }
    return 2;
  }

  function xWeight(text) {
    var total = 0;
    graphemes(text).forEach(function (cluster) {
      if (EMOJI_CLUSTER.test(cluster)) {
        total += 2;
        return;
      }
      for (var char of cluster) {
        total += codePointWeight(char.codePointAt(0));
      }
    });
    return total;
  }

  // Length of a label's RFC 3492 punycode, without the "xn--" prefix.
  function punycodeLength(label) {
    var input = Array.from(label, function (char) {
      return char.codePointAt(0);
    });
    var base = 36;
    var tMin = 1;
    var tMax = 26;
    var n = 128;
    var delta = 0;
    var bias = 72;
    var basic = input.filter(function (code) {
      return code < 128;
    }).length;
    var output = basic > 0 ? basic + 1 : 0;
    var handled = basic;
    function adapt(d, points, first) {
      d = first ? Math.floor(d / 700) : Math.floor(d / 2);
      d += Math.floor(d / points);
      var k = 0;
      while (d > ((base - tMin) * tMax) >> 1) {
        d = Math.floor(d / (base - tMin));
        k += base;
      }
      return k + Math.floor(((base - tMin + 1) * d) / (d + 38));
    }
    while (handled < input.length) {
      var next = Infinity;
      input.forEach(function (code) {
        if (code >= n && code < next) {
          next = code;
        }
      });
      delta += (next - n) * (handled + 1);
      n = next;
      for (var i = 0; i < input.length; i++) {
        if (input[i] < n) {
          delta++;
        } else if (input[i] === n) {
          var q = delta;
          for (var k = base; ; k += base) {
            var t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
            if (q < t) {
              break;
            }
            output++;
            q = Math.floor((q - t) / (base - t));
          }
          output++;
          bias = adapt(delta, handled + 1, handled === basic);
          delta = 0;
          handled++;
        }
      }
      delta++;
      n++;
    }
    return output;
  }

  function hostIsValid(host) {
    return host.split(".").every(function (label) {
      var size = /^[\x00-\x7F]*$/.test(label) ? label.length : 4 + punycodeLength(label);
      return size <= 63;
    });
  }

  function xUrlSpans(text) {
    var spans = [];
    for (var match of text.matchAll(X_URL)) {
      var groups = match.groups;
      var host = groups.host || groups.bare;
      if (!hostIsValid(host)) {
        continue;
      }
      if (groups.bare && !groups.path && groups.bare.toLowerCase() !== "t.co" && SHORT_CC_DOMAIN.test(groups.bare)) {
        continue;
      }
      spans.push([match.index, match.index + match[0].length]);
    }
    return spans;
  }

  function xWeightedLength(text) {
    var normalised = text.normalize("NFC").replace(/\r\n/g, "\n");
    var total = 0;
    var position = 0;
    xUrlSpans(normalised).forEach(function (span) {
      total += xWeight(normalised.slice(position, span[0])) + URL_LENGTH;
      position = span[1];
    });
    return total + xWeight(normalised.slice(position));
  }

  function mastodonLength(text) {
    if (BLANK.test(text)) {
      return 0;
    }
    var entities = [];
    var match;
    for (match of text.matchAll(M_URL)) {
      if (hostIsValid(match.groups.host)) {
        entities.push([match.index, match.index + match[0].length, "x".repeat(URL_LENGTH)]);
      }
    }
    for (match of text.matchAll(M_MENTION)) {
      var end = match.index + match[0].length;
      if (!M_MENTION_END.test(text.slice(end))) {
        entities.push([match.index, end, "@" + match.groups.user]);
      }
    }
    entities.sort(function (a, b) {
      return a[0] - b[0];
    });
    var pieces = [];
    var position = 0;
    entities.forEach(function (entity) {
      if (entity[0] < position) {
        return; // overlaps the entity before it
      }
      pieces.push(text.slice(position, entity[0]), entity[2]);
      position = entity[1];
    });
    pieces.push(text.slice(position));
    return graphemes(pieces.join("")).length;
  }

  function blueskyGraphemes(text) {
    return graphemes(text).length;
  }

  function blueskyBytes(text) {
    return encoder.encode(text).length;
  }

  function check(network, length, limit, unit) {
    return { network: network, length: length, limit: limit, unit: unit || "characters", ok: length <= limit };
  }

  function checks(text, networks, mastodonLimit) {
    var result = [];
    if (networks.indexOf("x") !== -1) {
      result.push(check("x", xWeightedLength(text), X_LIMIT));
    }
    if (networks.indexOf("mastodon") !== -1) {
      result.push(check("mastodon", mastodonLength(text), mastodonLimit || MASTODON_LIMIT));
    }
    if (networks.indexOf("bluesky") !== -1) {
      result.push(check("bluesky", blueskyGraphemes(text), BLUESKY_GRAPHEME_LIMIT));
      result.push(check("bluesky", blueskyBytes(text), BLUESKY_BYTE_LIMIT, "bytes"));
    }
    return result;
  }

  window.hubPostLength = {
    xWeightedLength: xWeightedLength,
    mastodonLength: mastodonLength,
    blueskyGraphemes: blueskyGraphemes,
    blueskyBytes: blueskyBytes,
    checks: checks,
  };

  // "X: 93 of 280", or "X: 293 of 280 – 13 too many"; Bluesky's byte limit is
  // added to its line only when a post goes over it.
  function describe(found) {
    var over = found.filter(function (item) {
      return !item.ok;
    });
    var first = found[0];
    var parts = [first.length + " of " + first.limit];
    if (!first.ok) {
      parts[0] += " – " + (first.length - first.limit) + " too many";
    }
    found.slice(1).forEach(function (item) {
      if (!item.ok) {
        parts.push(item.length + " of " + item.limit + " " + item.unit + " – " + (item.length - item.limit) + " too many");
      }
    });
    return { text: NETWORK_NAMES[first.network] + ": " + parts.join("; "), over: over.length > 0 };
  }

  function enhance(textarea) {
    var output = document.getElementById(textarea.getAttribute("data-post-length-output") || "");
    var name = textarea.getAttribute("data-networks-name");
    if (!output || !name) {
      return;
    }
    var form = textarea.form || document;
    var boxes = Array.from(form.querySelectorAll('input[type="checkbox"]')).filter(function (box) {
      return box.name === name;
    });
    var mastodonLimit = parseInt(textarea.getAttribute("data-mastodon-limit") || "", 10) || MASTODON_LIMIT;
    var lineTag = output.tagName === "UL" || output.tagName === "OL" ? "li" : "p";

    function update() {
      var networks = boxes
        .filter(function (box) {
          return box.checked;
        })
        .map(function (box) {
          return box.value;
        });
      var byNetwork = {};
      checks(textarea.value, networks, mastodonLimit).forEach(function (item) {
        (byNetwork[item.network] = byNetwork[item.network] || []).push(item);
      });
      var lines = ["x", "mastodon", "bluesky"]
        .filter(function (network) {
          return byNetwork[network];
        })
        .map(function (network) {
          var line = describe(byNetwork[network]);
          var element = document.createElement(lineTag);
          element.className = "hub-length";
          element.classList.toggle("hub-length--over", line.over);
          element.textContent = line.text;
          return element;
        });
      output.replaceChildren.apply(output, lines);
    }

    textarea.addEventListener("input", update);
    boxes.forEach(function (box) {
      box.addEventListener("change", update);
    });
    update();
  }

  function start() {
    document.querySelectorAll("textarea[data-post-length]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

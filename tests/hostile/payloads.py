"""
Hostile texts: XSS payloads written after the categories of the OWASP XSS filter evasion
cheat sheet, each carrying a marker of its own so that a hit names the payload.

A payload is written with two placeholders: ``{M}`` is its marker (``xss042``) and ``{H}``
the address on the recording server that a payload loads when it runs or when something
fetches what it names (``http://127.0.0.1:PORT/xss042``). Every payload that gets to run
calls ``__xss('{M}')``, opens a dialog, sets ``document.title`` to its marker, or makes a
request to ``{H}``; the suite watches for all four.

Each payload is under 500 characters and holds no control character but tab and newline,
so that it stays a valid input when texts are cleaned and limited.
"""

from dataclasses import dataclass

_TEMPLATES: list[tuple[str, str]] = [
    # Script tags: casings, spacing, encodings, broken closings.
    ("script", "<script>__xss('{M}')</script>"),
    ("script", "<SCRIPT>__xss('{M}')</SCRIPT>"),
    ("script", "<ScRiPt>alert('{M}')</sCrIpT>"),
    ("script", '<script src="{H}"></script>'),
    ("script", "<SCRIPT SRC={H}?.js></SCRIPT>"),
    ("script", '<script/xss src="{H}"></script>'),
    ("script", "<<script>__xss('{M}');//<</script>"),
    ("script", "<script>document.title='{M}'</script>"),
    ("script", "<script\n>__xss('{M}')</script\n>"),
    ("script", "<script\t type=\"text/javascript\">__xss('{M}')</script>"),
    ("script", "<scr<script>ipt>__xss('{M}')</scr</script>ipt>"),
    ("script", "<script>eval(atob('X194c3MoJ3hzcycp'));__xss('{M}')</script>"),
    ("script", "<script>fetch('{H}')</script>"),
    ("script", "<script type=module>import('{H}')</script>"),
    ("script", "'';!--\"<XSS>=&{()}<script>__xss('{M}')</script>"),
    # Event handlers on img, svg, body, details, video, iframe and friends.
    ("handler", "<img src=x onerror=__xss('{M}')>"),
    ("handler", "<IMG SRC=x ONERROR=\"__xss('{M}')\">"),
    ("handler", "<img src=x onerror=\"javascript:__xss('{M}')\">"),
    ("handler", '<img src="{H}">'),
    ("handler", '<img srcset="{H} 1x" src=x>'),
    ("handler", "<svg onload=__xss('{M}')>"),
    ("handler", "<svg/onload=alert('{M}')>"),
    ("handler", "<body onload=__xss('{M}')>"),
    ("handler", "<details open ontoggle=__xss('{M}')>x</details>"),
    ("handler", "<video><source onerror=\"__xss('{M}')\"></video>"),
    ("handler", "<video src=x onerror=__xss('{M}')></video>"),
    ("handler", "<audio src=x onerror=__xss('{M}')>"),
    ("handler", '<iframe src="{H}"></iframe>'),
    ("handler", "<iframe onload=__xss('{M}')></iframe>"),
    ("handler", "<input autofocus onfocus=__xss('{M}')>"),
    ("handler", "<select autofocus onfocus=__xss('{M}')></select>"),
    ("handler", "<textarea autofocus onfocus=__xss('{M}')></textarea>"),
    ("handler", "<marquee onstart=__xss('{M}')>x</marquee>"),
    ("handler", '<div onmouseover="__xss(\'{M}\')" style="position:fixed;inset:0">x</div>'),
    ("handler", "<p onclick=__xss('{M}')>Klicka här</p>"),
    ("handler", "<b onpointerenter=__xss('{M}')>fet</b>"),
    ("handler", '<a href="https://example.org/" onfocus="__xss(\'{M}\')" autofocus>länk</a>'),
    ("handler", '<object data="{H}"></object>'),
    ("handler", '<embed src="{H}">'),
    ("handler", '<link rel=stylesheet href="{H}">'),
    ("handler", '<meta http-equiv="refresh" content="0;url={H}">'),
    ("handler", '<base href="{H}/">'),
    ("handler", "<img src=x:x onerror=window['__x'+'ss']('{M}')>"),
    ("handler", "<img src=x onerror=&#95;&#95;xss('{M}')>"),
    ("handler", "<body onpageshow=__xss('{M}')>"),
    ("handler", "<style onload=__xss('{M}')></style>"),
    ("handler", "<form><button formaction=\"javascript:__xss('{M}')\">Skicka</button></form>"),
    ("handler", "<isindex type=image src=x onerror=__xss('{M}')>"),
    # javascript:, data: and vbscript: URLs in href, src, formaction, xlink:href, action.
    ("url", "<a href=\"javascript:__xss('{M}')\">länk</a>"),
    ("url", "<a href=\"JaVaScRiPt:__xss('{M}')\">länk</a>"),
    ("url", "<a href=\"jav&#x09;ascript:__xss('{M}')\">länk</a>"),
    ("url", "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;__xss('{M}')\">länk</a>"),
    ("url", "<a href=\" javascript:__xss('{M}')\">länk</a>"),
    ("url", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#{M}">länk</a>'),
    ("url", "<a href=\"vbscript:msgbox('{M}')\">länk</a>"),
    ("url", "<a href=\"javascript&colon;__xss('{M}')\">länk</a>"),
    ("url", "<a href=\"javascript://%0a__xss('{M}')\" target=_blank>länk</a>"),
    ("url", "<iframe src=\"javascript:__xss('{M}')\"></iframe>"),
    ("url", "<iframe srcdoc=\"&lt;script&gt;parent.__xss('{M}')&lt;/script&gt;\"></iframe>"),
    ("url", "<form action=\"javascript:__xss('{M}')\"><input type=submit></form>"),
    ("url", "<svg><a xlink:href=\"javascript:__xss('{M}')\"><text x=20 y=20>XSS</text></a></svg>"),
    ("url", "<math><a xlink:href=\"javascript:__xss('{M}')\">klicka</a></math>"),
    ("url", "<object data=\"javascript:__xss('{M}')\"></object>"),
    ("url", '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+#{M}">'),
    ("url", "<img src=\"javascript:__xss('{M}')\">"),
    ("url", '<a href="mailto:x@example.org" onclick="__xss(\'{M}\')">e-post</a>'),
    # CSS: expression(), url(), imports.
    ("css", '<div style="background:url({H})">x</div>'),
    ("css", "<div style=\"width:expression(__xss('{M}'))\">x</div>"),
    ("css", "<p style=\"background-image:url('javascript:__xss(&quot;{M}&quot;)')\">x</p>"),
    ("css", "<style>@import '{H}';</style>"),
    ("css", '<style>body{background:url("{H}")}</style>'),
    ("css", '<span style="behavior:url({H})">x</span>'),
    ("css", '<div style="-moz-binding:url({H}#xss)">x</div>'),
    ("css", "<STYLE>li {list-style-image: url(\"javascript:__xss('{M}')\");}</STYLE><UL><LI>XSS</UL>"),
    # SVG: script, foreignObject, animate, set, use.
    ("svg", "<svg><script>__xss('{M}')</script></svg>"),
    ("svg", '<svg><foreignObject><iframe src="{H}"></iframe></foreignObject></svg>'),
    ("svg", "<svg><animate onbegin=__xss('{M}') attributeName=x dur=1s>"),
    ("svg", "<svg><set attributeName=onload to=__xss('{M}')></svg>"),
    ("svg", "<svg><a><animate attributeName=href values=javascript:__xss('{M}') /><text x=9 y=9>x</text></a></svg>"),
    (
        "svg",
        "<svg><use href=\"data:image/svg+xml,&lt;svg id='x' xmlns='http://www.w3.org/2000/svg'&gt;"
        "&lt;image href='1' onerror='__xss(&quot;{M}&quot;)' /&gt;&lt;/svg&gt;#x\" /></svg>",
    ),
    ("svg", '<svg><image href="{H}" /></svg>'),
    # Template injection: Django, Jinja, JavaScript template literals, the documents' {facts}.
    ("template", "{{ 7*7 }} {M} {% debug %}"),
    ("template", "{% load static %}{% include 'base.html' %} {M}"),
    ("template", "${alert('{M}')} `${__xss('{M}')}`"),
    ("template", "{{ request.user.password }} {{ settings.SECRET_KEY }} {M}"),
    ("template", "#{__xss('{M}')} {{constructor.constructor('__xss(\"{M}\")')()}}"),
    ("template", "{mål_totalt} {tabell:{M}} {uppnått} {{ 1|add:1 }}"),
    ("template", "[[__xss('{M}')]] <%= __xss('{M}') %> {M}"),
    # HTML entities and unicode escapes.
    ("entity", "&lt;script&gt;__xss('{M}')&lt;/script&gt;"),
    ("entity", "&#60;img src=x onerror=__xss('{M}')&#62;"),
    ("entity", "\\u003cscript\\u003e__xss('{M}')\\u003c/script\\u003e"),
    ("entity", "\\x3cimg src=x onerror=__xss('{M}')\\x3e"),
    ("entity", "%3Cscript%3E__xss('{M}')%3C%2Fscript%3E"),
    ("entity", "＜script＞__xss('{M}')＜/script＞"),
    ("entity", "&amp;lt;svg onload=__xss('{M}')&amp;gt;"),
    ("entity", "<img src=x onerror=\"&#x5f;&#x5f;xss('{M}')\">"),
    # Broken attribute quoting: breaking out of value="…", title='…', unquoted attributes.
    ("quote", '" onmouseover="__xss(\'{M}\')" x="'),
    ("quote", "' onfocus='__xss(\"{M}\")' autofocus x='"),
    ("quote", "\"><img src=x onerror=__xss('{M}')>"),
    ("quote", "'><svg onload=__xss('{M}')>"),
    ("quote", "\" autofocus onfocus=__xss('{M}') \""),
    ("quote", "x onerror=__xss('{M}') src=x"),
    ("quote", "\"/><script>__xss('{M}')</script><p x=\""),
    ("quote", "`\"'><img src=x onerror=__xss('{M}')>"),
    # Breaking out of the element the text is placed in.
    ("breakout", "</textarea><script>__xss('{M}')</script>"),
    ("breakout", "</title><script>__xss('{M}')</script>"),
    ("breakout", "</script><script>__xss('{M}')</script>"),
    ("breakout", "</style><script>__xss('{M}')</script>"),
    ("breakout", "</option></select><img src=x onerror=__xss('{M}')>"),
    ("breakout", "--><script>__xss('{M}')</script><!--"),
    ("breakout", "]]><script>__xss('{M}')</script>"),
    ("breakout", "</noscript><img src=x onerror=__xss('{M}')>"),
    ("breakout", "</td></tr></table><img src=x onerror=__xss('{M}')>"),
    ("breakout", '</p></div></main><iframe src="{H}"></iframe>'),
    # Markdown-style links and images.
    ("markdown", "[klicka här](javascript:__xss('{M}'))"),
    ("markdown", "![bild]({H})"),
    ("markdown", "[a](javascript:alert('{M}') \"titel\")"),
    ("markdown", "<javascript:__xss('{M}')> [ref]: javascript:__xss('{M}')"),
    # Polyglots.
    (
        "polyglot",
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=__xss('{M}') )//%0D%0A%0d%0a//"
        "</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=__xss('{M}')//>\\x3e",
    ),
    ("polyglot", "'\"--></style></script><svg onload=__xss('{M}')>"),
    ("polyglot", "\";__xss('{M}');//';__xss('{M}');//--></SCRIPT>\">'><SCRIPT>__xss('{M}')</SCRIPT>"),
    ("polyglot", "<!--<img src=\"--><img src=x onerror=__xss('{M}')//\">"),
    ("polyglot", '<a href="https://example.org/?q=" onmouseover=__xss(\'{M}\')//">x</a>'),
    # mXSS: nesting that mutates on reparsing.
    ("mxss", "<noscript><p title=\"</noscript><img src=x onerror=__xss('{M}')>\"></noscript>"),
    ("mxss", "<svg></p><style><a id=\"</style><img src=x onerror=__xss('{M}')>\">"),
    ("mxss", "<math><mtext><table><mglyph><style><img src=x onerror=__xss('{M}')>"),
    ("mxss", "<form><math><mtext></form><form><mglyph><style></math><img src=x onerror=__xss('{M}')>"),
    ("mxss", "<table><td><b><a><table><svg><style><img src=x onerror=__xss('{M}')></style></svg>"),
    ("mxss", "<listing>&lt;img src=x onerror=__xss('{M}')&gt;</listing>"),
    ("mxss", "<xmp><img src=x onerror=__xss('{M}')></xmp>"),
    (
        "mxss",
        '<p><a href="https://example.org/"><i><b title="&lt;/b&gt;&lt;img src=x onerror=__xss(\'{M}\')&gt;">'
        "text</b></i></a></p>",
    ),
    ("mxss", "<template><img src=x onerror=__xss('{M}')></template>"),
    ("mxss", "<img src=\"x` `<script>__xss('{M}')</script>\"` `>"),
]


@dataclass(frozen=True)
class Payload:
    """One hostile text: its number, its category and its text with the hit address filled in."""

    marker: str
    category: str
    text: str


def payloads(hit_base: str) -> list[Payload]:
    """Every payload, its ``{H}`` an address below ``hit_base`` (no trailing slash) that names its marker."""
    found = []
    for number, (category, template) in enumerate(_TEMPLATES, start=1):
        marker = f"xss{number:03d}"
        text = template.replace("{H}", f"{hit_base}/{marker}").replace("{M}", marker)
        found.append(Payload(marker=marker, category=category, text=text))
    return found


def is_clean(text: str) -> bool:
    """Whether ``text`` is a valid input once texts are cleaned and limited: short, no control characters."""
    return len(text) < 500 and not any(ord(c) < 32 and c not in "\t\n" for c in text)

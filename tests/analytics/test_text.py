from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.analytics.text import (
    PLATFORM_FLAG,
    Counted,
    TextFeatures,
    contact_details,
    extract,
    hashtags,
    is_sponsored,
    links,
    mentions,
    top_hashtags,
    top_mentions,
)


class TestCaptions:
    def test_english_instagram(self) -> None:
        f = extract(
            "Golden hour at the lake 🌅✨ Thanks @sunsetco for the new lenses! "
            "Shop via linktr.ee/janedoe 👉 #ad #goldenhour #LakeLife #travelgram",
            platform="instagram",
            author="janedoe",
        )
        assert f.hashtags == ("#ad", "#goldenhour", "#LakeLife", "#travelgram")
        assert f.mentions == ("@sunsetco",)
        assert f.brand_mentions == ("@sunsetco",)
        assert f.links == ("linktr.ee/janedoe",)
        assert (f.sponsored, f.sponsored_signals) == (True, ("#ad",))

    def test_german(self) -> None:
        f = extract(
            "Neues Rezept online! 🍝 In Zusammenarbeit mit @pasta.haus #Werbung #pasta #rezept #lecker "
            "Link: https://blog.example.de/rezept-pasta.",
            platform="instagram",
        )
        assert f.hashtags == ("#Werbung", "#pasta", "#rezept", "#lecker")
        assert f.mentions == ("@pasta.haus",)
        assert f.links == ("https://blog.example.de/rezept-pasta",)
        assert f.sponsored_signals == ("#Werbung",)

    def test_french(self) -> None:
        f = extract("Merci @maisonlune pour ce partenariat rémunéré 💄 #sponsorisé #beauté #maquillage")
        assert f.hashtags == ("#sponsorisé", "#beauté", "#maquillage")
        assert f.sponsored_signals == ("#sponsorisé", "partenariat rémunéré")

    def test_spanish(self) -> None:
        f = extract("¡Nuevo video! 🎬 #publi con @marca_es. Más info en www.marca.es/promo #viaje #méxico")
        assert f.hashtags == ("#publi", "#viaje", "#méxico")
        assert f.mentions == ("@marca_es",)
        assert f.links == ("www.marca.es/promo",)
        assert f.sponsored

    def test_portuguese(self) -> None:
        f = extract("Parceria paga com @loja.br 🇧🇷 #publicidade #moda #verão")
        assert f.hashtags == ("#publicidade", "#moda", "#verão")
        assert f.mentions == ("@loja.br",)
        assert f.sponsored_signals == ("#publicidade", "parceria paga")

    def test_italian(self) -> None:
        f = extract("Colazione perfetta ☕️ #adv #Pubblicità #colazione @caffe.roma")
        assert f.hashtags == ("#adv", "#Pubblicità", "#colazione")
        assert f.sponsored_signals == ("#adv", "#Pubblicità")

    def test_arabic(self) -> None:
        f = extract("رمضان كريم 🌙 #رمضان_كريم #السعودية مع @brand_sa")
        assert f.hashtags == ("#رمضان_كريم", "#السعودية")
        assert f.mentions == ("@brand_sa",)

    def test_hindi_keeps_vowel_signs(self) -> None:
        f = extract("दिवाली की शुभकामनाएं 🪔 #दिवाली #हिंदी #भारत #Diwali2024")
        assert f.hashtags == ("#दिवाली", "#हिंदी", "#भारत", "#Diwali2024")

    def test_decomposed_accents_are_normalised(self) -> None:
        decomposed = unicodedata.normalize("NFD", "#café #Café")
        assert hashtags(decomposed) == ("#café",)

    def test_emoji_glued_to_hashtags(self) -> None:
        assert hashtags("🔥#fire🔥#hot❤️#love #summer☀️#beach") == (
            "#fire",
            "#hot",
            "#love",
            "#summer",
            "#beach",
        )

    def test_what_is_not_a_hashtag(self) -> None:
        text = "C# and F#, &#39; page#section #1 #2024 #️⃣ https://x.com/#/tag www.site.com/#top ##double #a#b"
        assert hashtags(text) == ("#double", "#a", "#b")

    def test_bluesky(self) -> None:
        f = extract(
            "Great thread by @alice.bsky.social, cc @bob.example.com and @carol 🦋 "
            "bsky.app/profile/alice.bsky.social",
            platform="bluesky",
            author="@Alice.bsky.social",
        )
        assert f.mentions == ("@alice.bsky.social", "@bob.example.com")  # @carol is no Bluesky handle
        assert f.brand_mentions == ("@bob.example.com",)
        assert f.links == ("bsky.app/profile/alice.bsky.social",)

    def test_x(self) -> None:
        f = extract(
            "RT @NASA: launch today! @alice.bob @averyveryverylongname #Artemis https://t.co/abc123",
            platform="x",
        )
        assert f.mentions == ("@NASA", "@alice")  # no dots on X; 21 characters is too long
        assert f.links == ("https://t.co/abc123",)

    def test_reddit_and_linkedin(self) -> None:
        assert mentions("thanks u/spez and /u/kn0thing, not you@example.com", "reddit") == (
            "u/spez",
            "u/kn0thing",
        )
        assert mentions("Great work @[Acme Corp](urn:li:organization:123) and @jane", "linkedin") == (
            "@Acme Corp",
            "@jane",
        )

    def test_mention_boundaries(self) -> None:
        assert mentions("mail bob@site.com, see medium.com/@writer and «@Quoted» @alice... @É") == (
            "@Quoted",
            "@alice",
        )
        assert mentions("@Alice and @alice") == ("@Alice",)


class TestLinks:
    def test_with_and_without_scheme_but_not_emails(self) -> None:
        text = (
            "Shop: https://shop.example.com/item?id=3&ref=ig. Wiki (https://en.wikipedia.org/wiki/Foo_(bar)) "
            "and (see http://example.org/x) — bit.ly/3abc, youtu.be/dQw4w9WgXcQ, www.example.co.uk/shop#top; "
            "press@brand.com · t.me/channel 🔥 amzn.to/xyz🔥"
        )
        assert links(text) == (
            "https://shop.example.com/item?id=3&ref=ig",
            "https://en.wikipedia.org/wiki/Foo_(bar)",
            "http://example.org/x",
            "bit.ly/3abc",
            "youtu.be/dQw4w9WgXcQ",
            "www.example.co.uk/shop#top",
            "t.me/channel",
            "amzn.to/xyz",
        )

    def test_not_links(self) -> None:
        assert (
            links("version 3.5, e.g. this, Next.js and node.js, photo.jpg, I live in Delhi.In the end") == ()
        )


class TestSponsored:
    @pytest.mark.parametrize(
        "caption",
        [
            "Love this #ad",
            "#AD new drop",
            "#Sponsored",
            "#partner with @brand",
            "#advertisement",
            "#paidpartnership",
            "#SponsoredPost",
            "#werbung",
            "#Anzeige",
            "#publicidad",
            "#publi",
            "#pub",
            "#partenariat",
            "#sponsorisé",
            "#parceria",
            "#publicidade",
            "#adv",
            "#pubblicità",
            "Paid partnership with @nike",
            "This video is sponsored by NordVPN",
            "Gesponsert von @marke",
        ],
    )
    def test_disclosed(self, caption: str) -> None:
        assert is_sponsored(caption)

    @pytest.mark.parametrize(
        "caption",
        [
            "#collab with my friend @jo",  # creator collaborations are not paid by default
            "#adventure #adidas #add #admin #ads4free",
            "Not sponsored by anyone, I just love it",
            "this isn't sponsored by them #notsponsored",
            "https://example.com/#ad",
            "",
        ],
    )
    def test_not_disclosed(self, caption: str) -> None:
        assert not is_sponsored(caption)

    def test_platform_flag(self) -> None:
        f = extract(None, paid_partnership=True)
        assert (f.sponsored, f.sponsored_signals) == (True, (PLATFORM_FLAG,))
        assert not extract("hello", paid_partnership=False).sponsored

    def test_longest_phrase_wins(self) -> None:
        assert extract("Paid partnership with @x. #ad").sponsored_signals == ("#ad", "paid partnership with")


class TestContactDetails:
    def test_indian_creator(self) -> None:
        bio = (
            "📍Mumbai | Collabs: collab@priya.in | 📞 +91 98765 43210 | WhatsApp 9876543210 | "
            "2.3M followers | Since 2015 | 1,250,000 views"
        )
        assert contact_details(bio) == (("collab@priya.in",), ("+91 98765 43210", "9876543210"))

    def test_local_formats(self) -> None:
        assert contact_details("NYC 🗽 Booking: (212) 555-0187 · mgmt@talent.com")[1] == ("(212) 555-0187",)
        assert contact_details("Tel. 030 12345678 | info@firma.de")[1] == ("030 12345678",)
        assert contact_details("📞 06 12 34 56 78")[1] == ("06 12 34 56 78",)
        assert contact_details("Call 555.123.4567 or 555 - 123 - 4567")[1] == (
            "555.123.4567",
            "555 - 123 - 4567",
        )
        assert contact_details("UK +44 (0)20 7946 0958, ES 612 345 678, 0044 20 7946 0958")[1] == (
            "+44 (0)20 7946 0958",
            "612 345 678",
            "0044 20 7946 0958",
        )

    def test_numbers_that_are_not_phones(self) -> None:
        bio = (
            "10 000 followers · 123 456 789 abonnés · 1.234.567.890 views · 250000000 fans · 2024 · 1998-2024 · "
            "12.05.1990 · 2019-2020-2021 · ranked #1 · 3.5k · 42 · wa.me/919876543210"
        )
        assert contact_details(bio)[1] == ()

    def test_obfuscated_email(self) -> None:
        emails, _ = contact_details("press [at] studio [dot] com or hi(at)me.io")
        assert emails == ("press@studio.com", "hi@me.io")

    def test_emails_are_not_mentions_or_links(self) -> None:
        f = extract("biz: hello@studio.io")
        assert (f.emails, f.mentions, f.links) == (("hello@studio.io",), (), ())


class TestTop:
    def test_counted_per_text_ties_in_first_appearance_order(self) -> None:
        items = [
            TextFeatures(hashtags=("#a", "#b")),
            TextFeatures(hashtags=("#B", "#c")),
            TextFeatures(hashtags=("#c", "#d")),
        ]
        # b: 2, c: 2 (b seen first), a: 1, d: 1
        assert top_hashtags(items, 3) == [Counted("#b", 2), Counted("#c", 2), Counted("#a", 1)]
        assert top_hashtags(items, None)[-1] == Counted("#d", 1)
        assert top_hashtags([], 5) == []

    def test_mentions(self) -> None:
        items = [extract(t) for t in ("@Nike @adidas", "@nike", "@puma @Adidas @nike")]
        assert top_mentions(items, 2) == [Counted("@nike", 3), Counted("@adidas", 2)]


class TestProperties:
    @given(st.text(max_size=200))
    def test_never_fails_and_items_come_from_the_text(self, text: str) -> None:
        f = extract(text)
        normal = unicodedata.normalize("NFC", text)
        for tag in f.hashtags:
            assert tag[1:] in normal
        for link in f.links:
            assert link in normal
        for handle in f.mentions:
            assert handle[1:] in normal
        for phone in f.phones:
            assert phone in normal

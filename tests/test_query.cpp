// The query language: syntax trees, resolution into Xapian queries, and errors.
#include "searcher/query_parser.hpp"

#include <depeche/depeche.hpp>

#include <catch2/catch.hpp>

using namespace depeche;

namespace {

std::string tree(const std::string& q) { return describe(*parse_syntax(q)); }

std::string xq(const std::string& q) {
    Analyzer a;
    QueryParser p(a, nullptr);
    return p.parse(q).query.get_description();
}

// Position of the error a query raises, or -1 if it parses.
long error_pos(const std::string& q) {
    try {
        Analyzer a;
        QueryParser(a, nullptr).parse(q);
    } catch (const QueryError& e) {
        return static_cast<long>(e.position());
    }
    return -1;
}

}  // namespace

TEST_CASE("query syntax: operators, groups, fields", "[query]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"macron", "macron"},
        {"union europeenne", "(AND union europeenne)"},
        {"a OR b c", "(AND (OR a b) c)"},
        {"a b OR c d", "(AND a (OR b c) d)"},
        {"a OU b", "(OR a b)"},
        {"a AND b", "(AND a b)"},
        {"a ET b", "(AND a b)"},
        {"a NOT b", "(AND a (- b))"},
        {"a SAUF b", "(AND a (- b))"},
        {"a -b +c", "(AND a (- b) (+ c))"},
        {"(a OR b) c", "(AND (OR a b) c)"},
        {"\"état d'urgence\"", "\"état d'urgence\""},
        {"«Maison Blanche»", "\"Maison Blanche\""},
        {"“Maison Blanche”", "\"Maison Blanche\""},
        {"titre:retraites", "(FIELD titre retraites)"},
        {"title:\"Union européenne\"", "(FIELD title \"Union européenne\")"},
        {"auteur:(Dupont OR Durand)", "(FIELD auteur (OR Dupont Durand))"},
        {"guerre NEAR paix", "(NEAR/10 guerre paix)"},
        {"guerre NEAR/3 paix", "(NEAR/3 guerre paix)"},
        {"prés*", "prés*"},
        {"vice-président", "vice-président"},
        {"url:https://example.org/a?b=c", "(FIELD url https://example.org/a?b=c)"},
        {"date:2025-08-01..2025-10-31", "(FIELD date 2025-08-01..2025-10-31)"},
        {"-\"fin de la guerre\" paix", "(AND (- \"fin de la guerre\") paix)"},
    };
    for (const auto& [q, expected] : cases) {
        INFO(q);
        CHECK(tree(q) == expected);
    }
}

TEST_CASE("query syntax: errors name the position", "[query]") {
    const std::vector<std::pair<std::string, long>> cases = {
        {"\"état d'urgence", 0},
        {"a (b", 2},
        {"a )", 2},
        {"()", 0},
        {"OR a", 0},
        {"a OR", 2},
        {"a OR OR b", 2},
        {"a AND", 2},
        {"NOT", 0},
        {"*", 0},
        {"titre:", 0},
        {"foo:bar", 0},
        {"a NEAR/0 b", 2},
        {"a NEAR \"b c\"", 7},
        {"date:2025-13", 5},
        {"date:2025-10..2025-08", 5},
        {std::string("caf\xc3"), 3},
        {"\"\"", 0},
    };
    for (const auto& [q, pos] : cases) {
        INFO(q);
        CHECK(error_pos(q) == pos);
    }
    CHECK(error_pos(std::string(70000, 'a')) >= 0);
    CHECK(error_pos(std::string(200, '(') + "a" + std::string(200, ')')) >= 0);
}

TEST_CASE("query resolution: words, stems, phrases and fields", "[query]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        // Words match stems, an accented word also the stems of its unaccented spelling.
        {"Élections", "Query(Zelect)"},
        {"élection", "Query(Zelect)"},
        {"électricité", "Query((Zelectr SYNONYM Zelectricit))"},
        {"electricite", "Query(Zelectricit)"},
        // Default AND; stopwords drop out unless alone or required.
        {"la guerre", "Query(Zguerr)"},
        {"la", "Query(la)"},
        {"+la guerre", "Query((la AND Zguerr))"},
        // Phrases: exact forms, never stems, stopwords and elisions handled.
        {"\"la Maison Blanche\"", "Query((la PHRASE 3 maison PHRASE 3 blanche))"},
        {"\"l'état d'urgence\"", "Query((etat PHRASE 2 urgence))"},
        {"\"Élections\"", "Query(elections)"},
        // Hyphenated words become phrases of their parts.
        {"tête-à-tête", "Query((tete PHRASE 3 a PHRASE 3 tete))"},
        {"Jean-Yves", "Query((jean PHRASE 2 yves))"},
        // l' is stripped from words too.
        {"l'Ukraine", "Query(Zukrain)"},
        // Fields.
        {"titre:retraites", "Query(ZSretrait)"},
        {"title:\"Union européenne\"", "Query((Sunion PHRASE 2 Seuropeenne))"},
        {"auteur:dupont", "Query(ZAdupont)"},
        {"guerre -paix", "Query((Zguerr AND_NOT Zpaix))"},
        {"guerre OR paix", "Query((Zguerr OR Zpaix))"},
        {"guerre NEAR paix", "Query((guerre NEAR 11 paix))"},
        {"personne:\"Donald Trump\"", "Query(0 * XPdonald trump)"},
        {"guerre personne:Trump", "Query((Zguerr FILTER XPtrump))"},
        {"date:2025-08..2025-10", "Query(VALUE_RANGE 0 20250801 20251031999999)"},
        {"date:2020..", "Query(VALUE_RANGE 0 20200101 99991231999999)"},
        {"mentionne:2025-08", "Query(0 * XMM202508)"},
        {"mentionne:2024", "Query(0 * XMY2024)"},
        {"-guerre", "Query(0 * (<alldocuments> AND_NOT Zguerr))"},
    };
    for (const auto& [q, expected] : cases) {
        INFO(q);
        CHECK(xq(q) == expected);
    }
}

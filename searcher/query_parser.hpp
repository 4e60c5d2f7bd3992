// The query language (docs/query-language.md), parsed in two stages: text -> syntax
// tree (parse_syntax), then tree -> Xapian query resolved against the schema and the
// analyzer (QueryParser::parse).
#pragma once

#include "schema/analyzer.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <xapian.h>

namespace depeche {
namespace schema {
struct Field;
}

class PeopleResolver;

struct Node {
    enum class Type { Word, Phrase, Wildcard, Field, And, Or, Near, Required, Exclude };
    Type type;
    std::string text;     // Word/Phrase/Wildcard text; Field name
    std::size_t pos = 0;  // byte offset in the query, for error messages
    unsigned window = 0;  // Near: maximum distance
    std::vector<std::unique_ptr<Node>> kids;
};

// Stage 1: syntax only. Throws QueryError (with position) on malformed input.
std::unique_ptr<Node> parse_syntax(std::string_view query);
// The tree as text, for tests: (AND "a" (OR b c*)) ...
std::string describe(const Node& node);

// Remarks on a (well-formed) query for the user, one sentence each: a lower-case "ou",
// "or", "sauf" or "not" between two terms is searched as a word, and the note says how
// to write the operator.
std::vector<std::string> operator_notes(std::string_view query);

// What to highlight in snippets: single words (exact forms and stems) and phrases.
struct Highlights {
    std::vector<std::string> exact;               // words matched as written
    std::vector<std::string> stems;               // stems of the words below
    std::vector<std::vector<std::string>> forms;  // per query word: the indexed forms it matches
    std::vector<std::vector<std::string>> phrases;
};

struct ParsedQuery {
    Xapian::Query query;
    bool filters_only = false;  // no text part: every matching article, newest first
    Highlights highlights;
};

class QueryParser {
public:
    // db (optional) gives the synonym table (spelling variants), wildcard and person
    // expansion. people (optional) gives the index's people resolver when a `personne:`
    // query needs it (a searcher keeps one per revision); without it, the parser builds
    // one from db.
    using PeopleSource = std::function<std::shared_ptr<const PeopleResolver>()>;
    QueryParser(Analyzer& analyzer, const Xapian::Database* db, PeopleSource people = {});
    ParsedQuery parse(std::string_view query);

    static constexpr std::size_t kMaxQueryBytes = 64 * 1024;
    static constexpr std::size_t kMaxTerms = 1000;
    // Indexed forms that the query's words may expand to, over the whole query.
    static constexpr std::size_t kMaxForms = 20000;
    static constexpr Xapian::termcount kMaxWildcardExpansion = 500;
    // Words all the prefixes (`prefix*`) of a query may expand to together; a prefix
    // repeated in one AND or OR group counts once (the copies are merged).
    static constexpr std::size_t kMaxTotalExpansion = 5000;
    // Year, month and day terms that date ranges on dates mentioned may expand to, over
    // the whole query (hundreds of OR'ed ranges would make a huge, slow query).
    static constexpr std::size_t kMaxDateTerms = 5000;
    // Person keys a `personne:` query may expand to (a common surname).
    static constexpr std::size_t kMaxPersonKeys = 5000;

private:
    Xapian::Query positional(const schema::Field& field, const std::vector<Xapian::Query>& qs,
                             const std::vector<std::string>& words, bool ordered, Xapian::termcount window,
                             std::size_t pos);
    Xapian::Query field_values(const schema::Field& field, const std::vector<Xapian::Query>& word_terms,
                               const std::vector<std::string>& words, bool ordered, Xapian::termcount window,
                               std::size_t pos);
    struct Built {
        Xapian::Query query;
        bool boolean = false;  // a filter only: no weight
        bool stop = false;     // a lone stopword that may be dropped
        bool empty = false;    // nothing to search (e.g. only punctuation)
    };
    Built build(const Node& n, const schema::Field& field);
    Built word(const Node& n, const schema::Field& field);
    Built phrase(const Node& n, const schema::Field& field, const std::string& text);
    Built field_query(const Node& n);
    Built combine_and(const std::vector<const Node*>& kids, const schema::Field& field);
    Xapian::Query date_terms_query(const schema::Field& field, int from, int to, std::size_t pos);
    Xapian::Query stems_query(const Token& t, const std::string& prefix, bool highlight, std::size_t pos);

    Analyzer& analyzer_;
    const Xapian::Database* db_;
    PeopleSource people_;
    Highlights highlights_;
    std::size_t terms_ = 0;
    std::size_t date_terms_ = 0;
    std::size_t forms_ = 0;
    std::size_t expansion_ = 0;  // words the prefixes so far expand to
};

}  // namespace depeche

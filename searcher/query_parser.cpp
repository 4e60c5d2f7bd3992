#include "searcher/query_parser.hpp"
#include "searcher/people_resolver.hpp"
#include "searcher/positions.hpp"

#include "schema/calendar.hpp"
#include "schema/person_key.hpp"
#include "schema/schema.hpp"
#include "schema/terms.hpp"
#include "schema/text.hpp"
#include "searcher/date_range.hpp"
#include "indexer/story.hpp"

#include <depeche/depeche.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace depeche {
namespace {

constexpr int kMaxDepth = 64;

std::string at(std::size_t pos) { return " at position " + std::to_string(pos + 1); }

// ---- Lexer ------------------------------------------------------------------------------
struct Lexeme {
    enum class Kind { Word, Phrase, LParen, RParen, Minus, Plus, Field, And, Or, Not, Near, End };
    Kind kind;
    std::string text;
    std::size_t pos;
    unsigned window = 10;
};

// Quote pairs: "...", “...”, «...».
bool open_quote(std::string_view q, std::size_t i, std::size_t& len, std::string& close) {
    if (q[i] == '"') {
        len = 1;
        close = "\"";
        return true;
    }
    if (q.compare(i, 3, "\u201C") == 0) {
        len = 3;
        close = "\u201D";
        return true;
    }
    if (q.compare(i, 2, "\u00AB") == 0) {
        len = 2;
        close = "\u00BB";
        return true;
    }
    return false;
}

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c < 0x20 || c == 0x7F; }

bool starts_special(std::string_view q, std::size_t i) {
    std::size_t len;
    std::string close;
    return is_space(static_cast<unsigned char>(q[i])) || q[i] == '(' || q[i] == ')' || open_quote(q, i, len, close);
}

bool is_field_name(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || c == '_')) return false;
    return true;
}

std::vector<Lexeme> lex(std::string_view q) {
    std::vector<Lexeme> out;
    std::size_t i = 0;
    while (i < q.size()) {
        unsigned char c = static_cast<unsigned char>(q[i]);
        if (is_space(c)) {
            ++i;
            continue;
        }
        std::size_t qlen;
        std::string close;
        if (c == '(') {
            out.push_back({Lexeme::Kind::LParen, "(", i});
            ++i;
            continue;
        }
        if (c == ')') {
            out.push_back({Lexeme::Kind::RParen, ")", i});
            ++i;
            continue;
        }
        if (open_quote(q, i, qlen, close)) {
            std::size_t end = q.find(close, i + qlen);
            if (end == std::string_view::npos) throw QueryError("unterminated quote" + at(i), i);
            out.push_back({Lexeme::Kind::Phrase, std::string(q.substr(i + qlen, end - i - qlen)), i});
            i = end + close.size();
            continue;
        }
        if ((c == '-' || c == '+') && i + 1 < q.size() && !is_space(static_cast<unsigned char>(q[i + 1])) &&
            q[i + 1] != ')' &&
            (out.empty() || i == 0 || is_space(static_cast<unsigned char>(q[i - 1])) || q[i - 1] == '(')) {
            out.push_back({c == '-' ? Lexeme::Kind::Minus : Lexeme::Kind::Plus, std::string(1, c), i});
            ++i;
            continue;
        }
        std::size_t start = i;
        while (i < q.size() && !starts_special(q, i)) {
            // A field name ends at ':' when a value follows.
            if (q[i] == ':' && is_field_name(q.substr(start, i - start))) break;
            ++i;
        }
        std::string text(q.substr(start, i - start));
        if (i < q.size() && q[i] == ':') {
            out.push_back({Lexeme::Kind::Field, text, start});
            ++i;
            if (i >= q.size() || is_space(static_cast<unsigned char>(q[i])) || q[i] == ')')
                throw QueryError("field '" + text + ":' needs a value" + at(start), start);
            // A field value runs to the next space (it may contain ':' as in URLs), unless
            // it is a quoted phrase or a parenthesised group.
            if (q[i] != '(' && !open_quote(q, i, qlen, close)) {
                std::size_t vstart = i;
                while (i < q.size() && !starts_special(q, i)) ++i;
                out.push_back({Lexeme::Kind::Word, std::string(q.substr(vstart, i - vstart)), vstart});
            }
            continue;
        }
        Lexeme l{Lexeme::Kind::Word, text, start};
        if (text == "AND" || text == "ET")
            l.kind = Lexeme::Kind::And;
        else if (text == "OR" || text == "OU")
            l.kind = Lexeme::Kind::Or;
        else if (text == "NOT" || text == "SAUF")
            l.kind = Lexeme::Kind::Not;
        else if (text == "NEAR" || text.rfind("NEAR/", 0) == 0) {
            l.kind = Lexeme::Kind::Near;
            if (text.size() > 5) {
                std::string n = text.substr(5);
                if (n.empty() || n.size() > 3 ||
                    !std::all_of(n.begin(), n.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) ||
                    std::stoi(n) < 1)
                    throw QueryError("NEAR/N needs a distance from 1 to 999" + at(start), start);
                l.window = static_cast<unsigned>(std::stoi(n));
            }
        }
        out.push_back(std::move(l));
    }
    out.push_back({Lexeme::Kind::End, "", q.size()});
    return out;
}

// ---- Syntax -------------------------------------------------------------------------------
using NodeP = std::unique_ptr<Node>;

NodeP make(Node::Type t, std::size_t pos, std::string text = {}) {
    auto n = std::make_unique<Node>();
    n->type = t;
    n->pos = pos;
    n->text = std::move(text);
    return n;
}

class SyntaxParser {
public:
    explicit SyntaxParser(std::vector<Lexeme> lx) : lx_(std::move(lx)) {}

    NodeP parse() {
        if (peek().kind == Lexeme::Kind::End) throw QueryError("empty query", 0);
        NodeP n = and_expr(0);
        if (peek().kind == Lexeme::Kind::RParen) throw QueryError("unbalanced ')'" + at(peek().pos), peek().pos);
        if (peek().kind != Lexeme::Kind::End)
            throw QueryError("unexpected '" + peek().text + "'" + at(peek().pos), peek().pos);
        return n;
    }

private:
    const Lexeme& peek() const { return lx_[i_]; }
    const Lexeme& next() { return lx_[i_++]; }

    static bool starts_operand(Lexeme::Kind k) {
        using K = Lexeme::Kind;
        return k == K::Word || k == K::Phrase || k == K::LParen || k == K::Minus || k == K::Plus || k == K::Field;
    }
    void need_operand(const Lexeme& op) {
        if (!starts_operand(peek().kind)) throw QueryError(op.text + " needs a term after it" + at(op.pos), op.pos);
    }

    // Precedence, loosest first: AND (explicit or implied by juxtaposition) and NOT,
    // then OR, then NEAR, then unary - and +. So "Macron OR Philippe retraites" is
    // (Macron OR Philippe) AND retraites, as in web search engines.
    NodeP and_expr(int depth) {
        if (depth > kMaxDepth) throw QueryError("query nested too deeply" + at(peek().pos), peek().pos);
        NodeP n = make(Node::Type::And, peek().pos);
        for (;;) {
            auto k = peek().kind;
            if (k == Lexeme::Kind::And) {
                const Lexeme& op = next();
                if (n->kids.empty()) throw QueryError("AND needs a term before it" + at(op.pos), op.pos);
                need_operand(op);
                n->kids.push_back(or_expr(depth));
            } else if (k == Lexeme::Kind::Not) {
                const Lexeme& op = next();
                need_operand(op);
                NodeP ex = make(Node::Type::Exclude, op.pos);
                ex->kids.push_back(or_expr(depth));
                n->kids.push_back(std::move(ex));
            } else if (k == Lexeme::Kind::Or || k == Lexeme::Kind::Near) {
                throw QueryError(peek().text + " needs a term before it" + at(peek().pos), peek().pos);
            } else if (starts_operand(k)) {
                n->kids.push_back(or_expr(depth));
            } else {
                break;
            }
        }
        if (n->kids.empty()) throw QueryError("expected a term" + at(peek().pos), peek().pos);
        if (n->kids.size() == 1 && n->kids[0]->type != Node::Type::Exclude) return std::move(n->kids[0]);
        return n;
    }

    NodeP or_expr(int depth) {
        NodeP left = near_expr(depth);
        if (peek().kind != Lexeme::Kind::Or) return left;
        NodeP n = make(Node::Type::Or, left->pos);
        n->kids.push_back(std::move(left));
        while (peek().kind == Lexeme::Kind::Or) {
            const Lexeme& op = next();
            need_operand(op);
            n->kids.push_back(near_expr(depth));
        }
        return n;
    }

    NodeP near_expr(int depth) {
        NodeP left = unary(depth);
        if (peek().kind != Lexeme::Kind::Near) return left;
        NodeP n = make(Node::Type::Near, left->pos);
        n->window = peek().window;
        n->kids.push_back(std::move(left));
        while (peek().kind == Lexeme::Kind::Near) {
            const Lexeme& op = next();
            n->window = std::max(n->window, op.window);
            need_operand(op);
            n->kids.push_back(unary(depth));
        }
        return n;
    }

    NodeP unary(int depth) {
        const Lexeme& l = peek();
        if (l.kind == Lexeme::Kind::Minus || l.kind == Lexeme::Kind::Plus) {
            next();
            NodeP n = make(l.kind == Lexeme::Kind::Minus ? Node::Type::Exclude : Node::Type::Required, l.pos);
            if (!starts_operand(peek().kind))
                throw QueryError("'" + l.text + "' needs a term after it" + at(l.pos), l.pos);
            n->kids.push_back(unary(depth + 1));
            return n;
        }
        return primary(depth);
    }

    NodeP primary(int depth) {
        const Lexeme& l = next();
        switch (l.kind) {
            case Lexeme::Kind::LParen: {
                if (peek().kind == Lexeme::Kind::RParen) throw QueryError("empty parentheses" + at(l.pos), l.pos);
                NodeP n = and_expr(depth + 1);
                if (peek().kind != Lexeme::Kind::RParen)
                    throw QueryError("missing ')' for the '(' " + at(l.pos).substr(1), l.pos);
                next();
                return n;
            }
            case Lexeme::Kind::Phrase: return make(Node::Type::Phrase, l.pos, l.text);
            case Lexeme::Kind::Field: {
                NodeP n = make(Node::Type::Field, l.pos, l.text);
                const Lexeme& v = peek();
                if (v.kind != Lexeme::Kind::Word && v.kind != Lexeme::Kind::Phrase && v.kind != Lexeme::Kind::LParen)
                    throw QueryError("field '" + l.text + ":' needs a value" + at(l.pos), l.pos);
                if (v.kind == Lexeme::Kind::Word) {
                    next();
                    bool wildcard = v.text.size() > 1 && v.text.back() == '*';
                    n->kids.push_back(wildcard ? make(Node::Type::Wildcard, v.pos, v.text.substr(0, v.text.size() - 1))
                                               : make(Node::Type::Word, v.pos, v.text));
                } else {
                    n->kids.push_back(primary(depth + 1));
                }
                return n;
            }
            case Lexeme::Kind::Word: {
                if (l.text.size() > 1 && l.text.back() == '*')
                    return make(Node::Type::Wildcard, l.pos, l.text.substr(0, l.text.size() - 1));
                if (l.text == "*") throw QueryError("'*' needs at least one letter before it" + at(l.pos), l.pos);
                return make(Node::Type::Word, l.pos, l.text);
            }
            default: throw QueryError("unexpected '" + l.text + "'" + at(l.pos), l.pos);
        }
    }

    std::vector<Lexeme> lx_;
    std::size_t i_ = 0;
};

std::string utf8_error(std::string_view s) {
    const std::size_t bad = text::invalid_utf8_at(s);
    return bad == std::string_view::npos ? std::string() : "invalid UTF-8" + at(bad);
}

}  // namespace

std::unique_ptr<Node> parse_syntax(std::string_view query) {
    if (query.size() > QueryParser::kMaxQueryBytes)
        throw QueryError("query too long (" + std::to_string(query.size()) + " bytes; the limit is " +
                             std::to_string(QueryParser::kMaxQueryBytes) + ")",
                         QueryParser::kMaxQueryBytes);
    if (std::string err = utf8_error(query); !err.empty()) {
        std::size_t pos = std::stoul(err.substr(err.rfind(' ') + 1)) - 1;
        throw QueryError(err, pos);
    }
    return SyntaxParser(lex(query)).parse();
}

std::vector<std::string> operator_notes(std::string_view query) {
    struct Operator {
        const char* word;
        const char* written;
    };
    static constexpr Operator kOperators[] = {{"ou", "OU (ou OR)"},
                                              {"or", "OR (ou OU)"},
                                              {"sauf", "SAUF (ou NOT, ou -mot)"},
                                              {"not", "NOT (ou SAUF, ou -mot)"}};
    std::vector<std::string> notes;
    const std::vector<Lexeme> lx = lex(query);
    using K = Lexeme::Kind;
    for (std::size_t i = 1; i + 1 < lx.size(); ++i) {
        if (lx[i].kind != K::Word) continue;
        const K before = lx[i - 1].kind, after = lx[i + 1].kind;
        if (before != K::Word && before != K::Phrase && before != K::RParen) continue;
        if (after != K::Word && after != K::Phrase && after != K::LParen && after != K::Field && after != K::Minus &&
            after != K::Plus)
            continue;
        // The value of a field ("titre:ou") is a Word after a Field, excluded above.
        for (const Operator& op : kOperators)
            if (lx[i].text == op.word) {
                std::string note = std::string("« ") + op.word + " » (position " + std::to_string(lx[i].pos + 1) +
                                   ") est cherché comme un mot ; pour l'opérateur, écrivez " + op.written;
                if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(std::move(note));
            }
    }
    return notes;
}

std::string describe(const Node& n) {
    switch (n.type) {
        case Node::Type::Word: return n.text;
        case Node::Type::Phrase: return "\"" + n.text + "\"";
        case Node::Type::Wildcard: return n.text + "*";
        default: break;
    }
    static const char* names[] = {"", "", "", "FIELD", "AND", "OR", "NEAR", "+", "-"};
    std::string out = "(" + std::string(names[static_cast<int>(n.type)]);
    if (n.type == Node::Type::Field) out += " " + n.text;
    if (n.type == Node::Type::Near) out += "/" + std::to_string(n.window);
    for (const auto& k : n.kids) out += " " + describe(*k);
    return out + ")";
}

// ---- Resolution against the schema ------------------------------------------------------------
QueryParser::QueryParser(Analyzer& analyzer, const Xapian::Database* db, PeopleSource people)
    : analyzer_(analyzer), db_(db), people_(std::move(people)) {}

namespace {
// `a* b* a*` is `a* b*`, and `a* OR a*` is `a*`: a prefix (plain, +required or -excluded)
// already met among its siblings is dropped, so repeating it costs nothing.
bool repeated_prefix(const Node& kid, std::set<std::pair<Node::Type, std::string>>& seen) {
    const bool wrapped = kid.type == Node::Type::Required || kid.type == Node::Type::Exclude;
    const Node& inner = wrapped ? *kid.kids[0] : kid;
    return inner.type == Node::Type::Wildcard && !seen.emplace(kid.type, inner.text).second;
}
struct Prefixes {
    std::string exact;
    bool stemmed;    // words match every indexed form of their stems
    bool highlight;  // matches in body/title text are highlighted in snippets
};
Prefixes prefixes_for(const schema::Field& f) { return {std::string(f.prefix), f.stemmed, f.highlight}; }
// Unfielded queries search the unprefixed space.
bool fielded(const schema::Field& f) { return &f != &schema::kBodyField; }
}  // namespace

// OP_SYNONYM over [first, last) as a balanced tree of two-way synonyms. Xapian 1.4
// weighs a synonym with a document frequency it estimates from its terms' frequencies,
// pairing them in an order each database (each shard) chooses from its own counts and
// rounding at each pair: over three terms or more, shards would estimate differently
// from one index. Two-way nodes leave nothing to choose (inner synonyms count as plain
// ORs), so one index, local shards and remote shards all weigh the word alike.
template <class It>
Xapian::Query synonym_tree(It first, It last) {
    const auto n = std::distance(first, last);
    if (n <= 2) return Xapian::Query(Xapian::Query::OP_SYNONYM, first, last);
    const It mid = first + (n + 1) / 2;
    return Xapian::Query(Xapian::Query::OP_SYNONYM, synonym_tree(first, mid), synonym_tree(mid, last));
}

// A word as the set of indexed forms of its stems, searched as one term (OP_SYNONYM).
// Stems: the word's own (accented spelling), its alt_stem, and the stems that the index's
// spelling table gives for its folded form. Forms: the word itself, and what the index's
// forms table (schema::kFormsKey + stem) lists for each stem.
Xapian::Query QueryParser::stems_query(const Token& t, const std::string& prefix, bool highlight, std::size_t pos) {
    std::set<std::string> stems;
    stems.insert(t.stem);
    if (!t.alt_stem.empty()) stems.insert(t.alt_stem);
    std::set<std::string> forms;
    forms.insert(t.exact);
    if (db_) {
        for (auto it = db_->synonyms_begin(t.exact); it != db_->synonyms_end(t.exact); ++it) {
            stems.insert(*it);
            if (stems.size() > 16) break;
        }
        for (const std::string& s : stems) {
            const std::string list = db_->get_metadata(std::string(schema::kFormsKey) + s);
            for_each_item(list, [&](std::string_view form) {
                if (forms.emplace(form).second && ++forms_ > kMaxForms)
                    throw QueryError("the query's words have too many indexed forms (the limit is " +
                                         std::to_string(kMaxForms) + ")" + at(pos),
                                     pos);
            });
        }
    }
    std::vector<Xapian::Query> qs;
    for (const std::string& f : forms)
        if (f.size() <= kMaxTermBytes) qs.emplace_back(prefix + f);
    ++terms_;
    if (highlight) {
        highlights_.forms.emplace_back(forms.begin(), forms.end());
        for (const std::string& s : stems) highlights_.stems.push_back(s);
    }
    if (qs.size() == 1) return qs[0];
    return synonym_tree(qs.begin(), qs.end());
}

// A phrase (ordered) or NEAR group in a WordsAndValue field (author, source): their words
// carry no positions, so the index's distinct values of the field (metadata kFieldValueKey +
// whole-value term -> text) are analysed and those holding the words in order (or within
// the window) give their whole-value terms; the field's word terms give the weights.
// The values are listed from the whole-value terms the articles hold (and each text read
// with get_metadata), not from a list of metadata keys: Xapian 1.4.22 leaks a table
// cursor when a commit interrupts the opening of a metadata key list, which a searcher
// reading while the indexer writes would meet; a term list keeps its cursor. (The same
// terms in the same order: values no article holds any more matched nothing anyway.)
Xapian::Query QueryParser::field_values(const schema::Field& field, const std::vector<Xapian::Query>& word_terms,
                                        const std::vector<std::string>& words, bool ordered, Xapian::termcount window,
                                        std::size_t pos) {
    const std::string prefix(field.value_prefix);
    std::vector<Xapian::Query> values;
    std::vector<std::vector<Xapian::termpos>> lists(words.size());
    for (auto it = db_->allterms_begin(prefix); it != db_->allterms_end(prefix); ++it) {
        const std::string term = *it;
        const std::vector<Token> tokens =
            analyzer_.tokens(db_->get_metadata(std::string(schema::kFieldValueKey) + term));
        for (std::size_t i = 0; i < words.size(); ++i) {
            lists[i].clear();
            for (const Token& t : tokens)
                if (t.exact == words[i]) lists[i].push_back(t.pos);
        }
        if (!positions_match(lists, ordered, window)) continue;
        if (values.size() >= kMaxForms)
            throw QueryError("the " + std::string(field.id) +
                                 " phrase matches too many distinct values (the limit is " + std::to_string(kMaxForms) +
                                 ")" + at(pos),
                             pos);
        values.emplace_back(term);
    }
    if (values.empty()) return Xapian::Query::MatchNothing;
    return Xapian::Query(Xapian::Query::OP_FILTER,
                         Xapian::Query(Xapian::Query::OP_AND, word_terms.begin(), word_terms.end()),
                         Xapian::Query(Xapian::Query::OP_OR, values.begin(), values.end()));
}

// A phrase (ordered) or NEAR group of exact-form terms `qs` (the words `words`) in a field:
// Xapian's own operators where the terms have positions (body, title), the distinct values
// of the field where they have none (WordsAndValue).
Xapian::Query QueryParser::positional(const schema::Field& field, const std::vector<Xapian::Query>& qs,
                                      const std::vector<std::string>& words, bool ordered, Xapian::termcount window,
                                      std::size_t pos) {
    if (db_ && field.indexing == schema::Indexing::WordsAndValue)
        return field_values(field, qs, words, ordered, window, pos);
    return Xapian::Query(ordered ? Xapian::Query::OP_PHRASE : Xapian::Query::OP_NEAR, qs.begin(), qs.end(), window);
}

QueryParser::Built QueryParser::phrase(const Node& n, const schema::Field& field, const std::string& text) {
    Prefixes p = prefixes_for(field);
    std::vector<Token> tokens = analyzer_.tokens(text);
    Built b;
    if (tokens.empty()) {
        b.empty = true;
        return b;
    }
    std::vector<Xapian::Query> qs;
    std::vector<std::string> words;
    for (const Token& t : tokens) {
        if (t.exact.size() > kMaxTermBytes) continue;
        qs.emplace_back(p.exact + t.exact);
        words.push_back(t.exact);
    }
    terms_ += qs.size();
    if (terms_ > kMaxTerms) throw QueryError("too many terms (the limit is " + std::to_string(kMaxTerms) + ")", n.pos);
    if (p.highlight) {
        if (words.size() == 1)
            highlights_.exact.push_back(words[0]);
        else
            highlights_.phrases.push_back(words);
    }
    if (qs.size() == 1) {
        b.query = qs[0];
        return b;
    }
    // The window spans the phrase's own positions (gaps from punctuation included).
    auto window = static_cast<Xapian::termcount>(tokens.back().pos - tokens.front().pos + 1);
    window = std::max<Xapian::termcount>(window, static_cast<Xapian::termcount>(qs.size()));
    b.query = positional(field, qs, words, true, window, n.pos);
    return b;
}

QueryParser::Built QueryParser::word(const Node& n, const schema::Field& field) {
    std::vector<Token> tokens = analyzer_.tokens(n.text);
    Built b;
    if (tokens.empty()) {
        b.empty = true;
        return b;
    }
    if (tokens.size() > 1) return phrase(n, field, n.text);  // "Jean-Yves", "a/b": a phrase
    const Token& t = tokens[0];
    Prefixes p = prefixes_for(field);
    if (t.stem.empty() || !p.stemmed || t.number) {
        // Stopwords and numbers are matched as written.
        b.query = Xapian::Query(p.exact + t.exact);
        b.stop = t.stop;
        ++terms_;
        if (p.highlight) highlights_.exact.push_back(t.exact);
        return b;
    }
    b.query = stems_query(t, p.exact, p.highlight, n.pos);
    return b;
}

QueryParser::Built QueryParser::field_query(const Node& n) {
    const schema::Field* f = schema::field_by_name(n.text);
    if (!f)
        throw QueryError(
            "unknown field '" + n.text + "'" + at(n.pos) + " (known fields: " + schema::field_names() + ")", n.pos);
    const Node& v = *n.kids[0];
    Built b;
    auto one_value = [&] {
        if (v.type != Node::Type::Word && v.type != Node::Type::Phrase)
            throw QueryError("field '" + n.text + ":' takes a word or a quoted value" + at(v.pos), v.pos);
        b.boolean = true;
        ++terms_;
    };
    switch (f->indexing) {
        case schema::Indexing::Words:
        case schema::Indexing::WordsAndValue: return build(v, *f);
        case schema::Indexing::Exact:
        case schema::Indexing::Hashed:
            one_value();
            b.query = Xapian::Query(field_term(*f, v.text));
            return b;
        case schema::Indexing::StoryKey: {
            one_value();
            std::string key = v.text;
            for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (!story::valid_key(key))
                throw QueryError("story: takes a story key of 16 hex digits, as in the \"story\" of a hit" + at(v.pos),
                                 v.pos);
            b.query = Xapian::Query(story::story_term(key));
            return b;
        }
        case schema::Indexing::PersonKey: {
            one_value();
            const std::string key = person_key(v.text);
            if (key.empty()) throw QueryError("empty person name" + at(v.pos), v.pos);
            // Resolved across the index (people_resolver.hpp): a surname matches every
            // name ending with it, a full name every key standing for that person,
            // spelling variants included.
            std::shared_ptr<const PeopleResolver> people = people_ ? people_()
                                                           : db_   ? std::make_shared<const PeopleResolver>(*db_)
                                                                   : nullptr;
            std::vector<std::string> keys;
            if (people) keys = people->query_keys(key);
            if (keys.size() > kMaxPersonKeys)
                throw QueryError("'" + v.text + "' names too many people (" + std::to_string(keys.size()) +
                                     "); give a first name" + at(v.pos),
                                 v.pos);
            if (keys.empty()) keys.push_back(key);
            std::vector<Xapian::Query> qs;
            for (const std::string& k : keys) qs.emplace_back(field_term(*f, k));
            b.query = qs.size() == 1 ? qs[0] : Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
            return b;
        }
        case schema::Indexing::PublicationDate:
        case schema::Indexing::MentionedDates: {
            if (v.type != Node::Type::Word && v.type != Node::Type::Phrase)
                throw QueryError(
                    "field '" + n.text + ":' takes a date or a range like 2025-08-01..2025-10-31" + at(v.pos), v.pos);
            std::string error;
            auto range = parse_date_range(v.text, &error);
            if (!range) {
                // The range is quoted as typed: a quoted one may hold line ends, not the message.
                std::string message = "bad date range '" + v.text + "': " + error + at(v.pos);
                std::replace_if(
                    message.begin(), message.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
                throw QueryError(message, v.pos);
            }
            b.boolean = true;
            if (f->indexing == schema::Indexing::PublicationDate) {
                char lo[16], hi[24];
                std::snprintf(lo, sizeof lo, "%08d", range->from);
                std::snprintf(hi, sizeof hi, "%08d999999", range->to);
                b.query = Xapian::Query(Xapian::Query::OP_VALUE_RANGE, f->slot, lo, hi);
            } else {
                b.query = date_terms_query(*f, range->from, range->to, v.pos);
            }
            return b;
        }
    }
    return b;
}

QueryParser::Built QueryParser::combine_and(const std::vector<const Node*>& kids, const schema::Field& field) {
    std::vector<Built> positive, stops;
    std::vector<Xapian::Query> filters, excluded;
    std::set<std::pair<Node::Type, std::string>> prefixes;
    for (const Node* kid : kids) {
        if (repeated_prefix(*kid, prefixes)) continue;
        if (kid->type == Node::Type::Exclude) {
            Built e = build(*kid->kids[0], field);
            if (!e.empty) excluded.push_back(e.query);
            continue;
        }
        bool required = kid->type == Node::Type::Required;
        Built b = build(required ? *kid->kids[0] : *kid, field);
        if (b.empty) continue;
        if (b.boolean)
            filters.push_back(b.query);
        else if (b.stop && !required)
            stops.push_back(b);
        else
            positive.push_back(b);
    }
    // Stopwords only count when the query has nothing else.
    if (positive.empty() && filters.empty()) positive = std::move(stops);
    Built out;
    std::vector<Xapian::Query> pos;
    for (auto& b : positive) pos.push_back(b.query);
    if (!pos.empty()) out.query = Xapian::Query(Xapian::Query::OP_AND, pos.begin(), pos.end());
    if (!filters.empty()) {
        Xapian::Query f(Xapian::Query::OP_AND, filters.begin(), filters.end());
        if (pos.empty()) {
            out.query = f;
            out.boolean = true;
        } else
            out.query = Xapian::Query(Xapian::Query::OP_FILTER, out.query, f);
    }
    if (!excluded.empty()) {
        if (pos.empty() && filters.empty()) {
            out.query = Xapian::Query::MatchAll;
            out.boolean = true;
        }
        out.query = Xapian::Query(Xapian::Query::OP_AND_NOT, out.query,
                                  Xapian::Query(Xapian::Query::OP_OR, excluded.begin(), excluded.end()));
    }
    if (pos.empty() && filters.empty() && excluded.empty()) out.empty = true;
    return out;
}

QueryParser::Built QueryParser::build(const Node& n, const schema::Field& field) {
    if (terms_ > kMaxTerms) throw QueryError("too many terms (the limit is " + std::to_string(kMaxTerms) + ")", n.pos);
    switch (n.type) {
        case Node::Type::Word: return word(n, field);
        case Node::Type::Phrase: return phrase(n, field, n.text);
        case Node::Type::Wildcard: {
            std::vector<Token> tokens = analyzer_.tokens(n.text);
            if (tokens.empty()) throw QueryError("'*' needs at least one letter before it" + at(n.pos), n.pos);
            if (tokens.size() > 1) throw QueryError("'*' applies to a single word" + at(n.pos), n.pos);
            const std::string prefix = prefixes_for(field).exact + tokens[0].exact;
            Built b;
            if (db_) {
                // Expanded here, once over the whole index, to its most frequent words
                // (then in byte order): with shards, Xapian's OP_WILDCARD would expand on
                // each shard with that shard's words and frequencies.
                std::vector<std::pair<Xapian::doccount, std::string>> words;
                for (auto it = db_->allterms_begin(prefix); it != db_->allterms_end(prefix); ++it)
                    words.emplace_back(it.get_termfreq(), *it);
                if (words.size() > kMaxWildcardExpansion) {
                    auto more = [](const auto& a, const auto& b) {
                        return a.first != b.first ? a.first > b.first : a.second < b.second;
                    };
                    std::partial_sort(words.begin(), words.begin() + kMaxWildcardExpansion, words.end(), more);
                    words.resize(kMaxWildcardExpansion);
                    std::sort(words.begin(), words.end(),
                              [](const auto& a, const auto& b) { return a.second < b.second; });
                }
                if ((expansion_ += words.size()) > kMaxTotalExpansion)
                    throw QueryError("the prefixes match too many words (the limit is " +
                                         std::to_string(kMaxTotalExpansion) + " in all)" + at(n.pos),
                                     n.pos);
                std::vector<Xapian::Query> qs;
                for (const auto& w : words) qs.emplace_back(w.second);
                b.query = synonym_tree(qs.begin(), qs.end());
            } else {
                b.query = Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, kMaxWildcardExpansion,
                                        Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
            }
            ++terms_;
            return b;
        }
        case Node::Type::Field:
            if (fielded(field))
                throw QueryError("a field inside field '" + std::string(field.id) + "'" + at(n.pos), n.pos);
            return field_query(n);
        case Node::Type::Required:
        case Node::Type::Exclude: return combine_and({&n}, field);  // a lone "+x" or "-x": an AND group of one
        case Node::Type::And: {
            std::vector<const Node*> kids;
            for (const auto& k : n.kids) kids.push_back(k.get());
            return combine_and(kids, field);
        }
        case Node::Type::Or: {
            std::vector<Xapian::Query> qs;
            bool all_boolean = true;
            std::set<std::pair<Node::Type, std::string>> prefixes;
            for (const auto& kid : n.kids) {
                if (repeated_prefix(*kid, prefixes)) continue;
                Built b = build(*kid, field);
                if (b.empty) continue;
                all_boolean = all_boolean && b.boolean;
                qs.push_back(b.query);
            }
            Built b;
            if (qs.empty()) {
                b.empty = true;
                return b;
            }
            b.query = Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
            b.boolean = all_boolean;
            return b;
        }
        case Node::Type::Near: {
            Prefixes p = prefixes_for(field);
            std::vector<Xapian::Query> qs;
            std::vector<std::string> words;
            for (const auto& kid : n.kids) {
                if (kid->type != Node::Type::Word) throw QueryError("NEAR joins single words" + at(kid->pos), kid->pos);
                std::vector<Token> tokens = analyzer_.tokens(kid->text);
                if (tokens.size() != 1) throw QueryError("NEAR joins single words" + at(kid->pos), kid->pos);
                qs.emplace_back(p.exact + tokens[0].exact);
                words.push_back(tokens[0].exact);
                if (p.highlight) highlights_.exact.push_back(tokens[0].exact);
            }
            terms_ += qs.size();
            Built b;
            const Xapian::termcount window = n.window + static_cast<unsigned>(qs.size()) - 1;
            b.query = positional(field, qs, words, false, window, n.pos);
            return b;
        }
    }
    return {};
}

Xapian::Query QueryParser::date_terms_query(const schema::Field& field, int from, int to, std::size_t pos) {
    const std::string prefix(field.prefix);
    // Cover [from, to] (YYYYMMDD) with whole years, then whole months, then days.
    const std::string ytag(schema::kYearTag), mtag(schema::kMonthTag), dtag(schema::kDayTag);
    int first_year = from / 10000, last_year = to / 10000;
    if (db_) {  // open ends: the years present in the index
        int lo = 9999, hi = 0;
        for (auto it = db_->allterms_begin(prefix + ytag); it != db_->allterms_end(prefix + ytag); ++it) {
            int y = std::atoi((*it).c_str() + prefix.size() + ytag.size());
            lo = std::min(lo, y);
            hi = std::max(hi, y);
        }
        first_year = std::max(first_year, lo);
        last_year = std::min(last_year, hi);
    } else {
        first_year = std::max(first_year, 1800);
        last_year = std::min(last_year, 2200);
    }
    std::vector<Xapian::Query> qs;
    char buf[16];
    for (int y = first_year; y <= last_year; ++y) {
        if (from <= y * 10000 + 101 && to >= y * 10000 + 1231) {
            std::snprintf(buf, sizeof buf, "%04d", y);
            qs.emplace_back(prefix + ytag + buf);
            continue;
        }
        for (int m = 1; m <= 12; ++m) {
            const int days = days_in_month(y, m);
            int mfirst = y * 10000 + m * 100 + 1, mlast = y * 10000 + m * 100 + days;
            if (mlast < from || mfirst > to) continue;
            if (from <= mfirst && to >= mlast) {
                std::snprintf(buf, sizeof buf, "%04d%02d", y, m);
                qs.emplace_back(prefix + mtag + buf);
                continue;
            }
            for (int d = 1; d <= days; ++d) {
                int ymd = y * 10000 + m * 100 + d;
                if (ymd < from || ymd > to) continue;
                std::snprintf(buf, sizeof buf, "%08d", ymd);
                qs.emplace_back(prefix + dtag + buf);
            }
        }
    }
    date_terms_ += qs.size();
    if (date_terms_ > kMaxDateTerms)
        throw QueryError("date ranges too wide or too many (more than " + std::to_string(kMaxDateTerms) +
                             " days, months and years to look up)" + at(pos),
                         pos);
    if (qs.empty()) return Xapian::Query::MatchNothing;
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
}

ParsedQuery QueryParser::parse(std::string_view query) {
    highlights_ = {};
    terms_ = 0;
    date_terms_ = 0;
    expansion_ = 0;
    std::unique_ptr<Node> tree = parse_syntax(query);
    Built b = build(*tree, schema::kBodyField);
    if (terms_ > kMaxTerms) throw QueryError("too many terms (the limit is " + std::to_string(kMaxTerms) + ")", 0);
    ParsedQuery out;
    if (b.empty) throw QueryError("the query has no searchable word", 0);
    // A query of filters only matches without weight (results then sort by date).
    out.query = b.boolean ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, b.query, 0) : b.query;
    out.filters_only = b.boolean;
    out.highlights = std::move(highlights_);
    return out;
}

}  // namespace depeche

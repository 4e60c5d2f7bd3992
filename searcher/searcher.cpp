// depeche::Searcher: read-only access, queries, hits, snippets and facets.
#include "indexer/document.hpp"
#include "indexer/store.hpp"
#include "schema/schema.hpp"
#include "searcher/facets.hpp"
#include "searcher/query_parser.hpp"
#include "searcher/snippet.hpp"

#include <depeche/depeche.hpp>

#include <filesystem>

namespace fs = std::filesystem;

namespace depeche {

struct Searcher::Impl {
    std::string dir;
    Xapian::Database db;
    Analyzer analyzer;

    explicit Impl(const std::string& d) : dir(d), db(open_readonly(d)) {}

    SearchResult run(const SearchRequest& req) {
        QueryParser parser(analyzer, &db);
        ParsedQuery parsed = parser.parse(req.query);

        Xapian::Enquire enquire(db);
        enquire.set_query(parsed.query);
        enquire.set_weighting_scheme(Xapian::BM25Weight());
        Sort sort = req.sort;
        if (!req.sort_given && parsed.filters_only) sort = Sort::DateDescending;
        if (sort == Sort::DateDescending)
            enquire.set_sort_by_value_then_relevance(schema::kSlotDate, true);
        else if (sort == Sort::DateAscending)
            enquire.set_sort_by_value_then_relevance(schema::kSlotDate, false);
        // Newest first among equal scores (filters only): Xapian keeps docid order,
        // which is indexing order; the date sort above covers it.

        std::unique_ptr<FacetSpy> spy;
        if (req.facets) {
            spy = std::make_unique<FacetSpy>();
            enquire.add_matchspy(spy.get());
        }
        Xapian::doccount check = static_cast<Xapian::doccount>(
            std::min<std::size_t>(req.offset + req.limit, db.get_doccount()));
        if (req.exact_total || req.facets) check = db.get_doccount();
        Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(std::min<std::size_t>(req.offset, db.get_doccount())),
                                             static_cast<Xapian::doccount>(std::min<std::size_t>(req.limit, 1u << 30)),
                                             check);
        SearchResult result;
        result.total = mset.get_matches_estimated();
        result.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
        std::size_t rank = req.offset;
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            StoredArticle a = decode_stored(it.get_document().get_data());
            Hit h;
            h.rank = ++rank;
            h.id = std::move(a.id);
            h.title = std::move(a.title);
            h.date = std::move(a.date);
            h.url = std::move(a.url);
            h.path = std::move(a.path);
            h.author = std::move(a.author);
            h.source = std::move(a.source);
            h.people = std::move(a.people);
            h.score = it.get_weight();
            h.snippet = make_snippet(analyzer, a.text, parsed.highlights, req.snippet.length,
                                     req.snippet.highlight_open, req.snippet.highlight_close);
            result.hits.push_back(std::move(h));
        }
        if (spy) result.facets = spy->facets(req.facet_limit, result.total_exact);
        return result;
    }
};

Searcher::Searcher(const std::string& index_dir) : impl_(std::make_unique<Impl>(index_dir)) {}
Searcher::~Searcher() = default;
Searcher::Searcher(Searcher&&) noexcept = default;
Searcher& Searcher::operator=(Searcher&&) noexcept = default;

SearchResult Searcher::search(const SearchRequest& request) {
    // The index may change under us (another process commits): reopen and retry.
    for (int attempt = 0;; ++attempt) {
        try {
            return impl_->run(request);
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= 3) throw IoError("index " + impl_->dir + " keeps changing; try again");
            impl_->db.reopen();
        } catch (const Xapian::Error& e) {
            rethrow_xapian(e, impl_->dir);
        }
    }
}

void Searcher::reopen() {
    guard_xapian([&] { return impl_->db.reopen(); }, impl_->dir);
}

IndexStats Searcher::stats() {
    return guard_xapian([&] {
        impl_->db.reopen();
        IndexStats s;
        s.articles = impl_->db.get_doccount();
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(impl_->dir, ec))
            if (e.is_regular_file(ec)) s.size_bytes += e.file_size(ec);
        s.schema_version = std::atoi(impl_->db.get_metadata(schema::kMetaSchema).c_str());
        s.analyzer = impl_->db.get_metadata(schema::kMetaAnalyzer);
        s.last_update = impl_->db.get_metadata(schema::kMetaUpdated);
        return s;
    }, impl_->dir);
}

std::vector<AnalyzedToken> analyze(const std::string& text, std::string* normalized) {
    thread_local Analyzer analyzer;
    std::string n = analyzer.normalize(text);
    std::vector<Token> tokens;
    analyzer.analyze(n, tokens);
    std::vector<AnalyzedToken> out;
    out.reserve(tokens.size());
    for (Token& t : tokens)
        out.push_back({std::move(t.exact), std::move(t.stem), t.pos, t.begin, t.end, t.stop});
    if (normalized) *normalized = std::move(n);
    return out;
}

}  // namespace depeche

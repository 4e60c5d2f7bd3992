// Exact facet counts over the whole result set, computed by a Xapian match spy.
//
// The spy sees every matching document when the search runs with check_at_least equal
// to the document count. Its counts serialise and merge, so the same facets can be
// computed over several shards (local or remote databases) and added up.
#pragma once

#include <depeche/depeche.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <xapian.h>

namespace depeche {

class FacetSpy : public Xapian::MatchSpy {
public:
    void operator()(const Xapian::Document& doc, double wt) override;
    Xapian::MatchSpy* clone() const override { return new FacetSpy; }
    std::string name() const override { return "depeche::FacetSpy"; }
    std::string serialise() const override { return {}; }
    Xapian::MatchSpy* unserialise(const std::string&, const Xapian::Registry&) const override { return new FacetSpy; }
    std::string serialise_results() const override;
    void merge_results(const std::string& serialised) override;

    // Top `people_limit` people by count; date histograms at a granularity that suits
    // their span (years over more than 3 years, months over more than 3 months, days).
    // Every count is a number of articles.
    Facets facets(std::size_t people_limit, bool exact) const;

    Xapian::doccount seen() const { return seen_; }

    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    using Counts = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;

    using DateCounts = std::unordered_map<std::uint32_t, std::size_t>;  // YYYYMMDD as a number

private:
    Xapian::doccount seen_ = 0;
    Counts people_;      // "key\x1Edisplay name" -> articles; a key's count is the sum
    DateCounts dates_;   // publication day -> articles
    // Dates mentioned, per article at each granularity (year, month, day buckets, with
    // a value known only to a coarser level kept at its own: 20240400 is a month), so
    // that an article counts once per bucket.
    std::array<DateCounts, 3> mentioned_;
    std::uint32_t mentioned_first_ = 0, mentioned_last_ = 0;  // span of the values
};

// Groups "YYYYMMDD" counts into year, month or day buckets chosen by the span.
std::vector<FacetCount> date_histogram(const std::map<std::string, std::size_t>& days);

}  // namespace depeche

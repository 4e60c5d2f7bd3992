// Exact facet counts over the whole result set, computed by a Xapian match spy.
//
// The spy sees every matching document when the search runs with check_at_least equal
// to the document count. Its counts serialise and merge, so the same facets can be
// computed over several shards (local or remote databases) and added up.
#pragma once

#include <depeche/depeche.hpp>

#include <map>
#include <string>
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
    Facets facets(std::size_t people_limit, bool exact) const;

    Xapian::doccount seen() const { return seen_; }

private:
    Xapian::doccount seen_ = 0;
    // person key -> (display name -> count); count per key is the sum.
    std::unordered_map<std::string, std::unordered_map<std::string, std::size_t>> people_;
    std::map<std::string, std::size_t> dates_;      // "YYYYMMDD" -> count
    std::map<std::string, std::size_t> mentioned_;  // "YYYYMMDD" (00 for unknown parts) -> count
};

// Groups "YYYYMMDD" counts into year, month or day buckets chosen by the span.
std::vector<FacetCount> date_histogram(const std::map<std::string, std::size_t>& days);

}  // namespace depeche

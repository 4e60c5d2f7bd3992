// Phrases and NEAR groups matched on word positions within a range of positions.
//
// A title's words are indexed twice: under the title prefix (for titre:word, without
// positions) and in the body's space at positions 1 to schema::kBodyFirstPos (with
// positions, for plain phrases). A phrase restricted to the title is matched here, on the
// body-space positions inside the title's range, so that title terms need no position
// lists of their own (a sixth of the entries of the position table).
#pragma once

#include <string>
#include <vector>
#include <xapian.h>

namespace depeche {

// Whether one position from each list (lists[i] for the i-th word, ascending) can be
// chosen so that the words appear in order (ordered) or in any order at distinct
// positions, with last - first < window. This is the test of Xapian's OP_PHRASE and
// OP_NEAR for a given document.
bool positions_match(const std::vector<std::vector<Xapian::termpos>>& lists, bool ordered,
                     Xapian::termcount window);

class RangePhraseSource : public Xapian::PostingSource {
public:
    // position_terms: the terms whose positions are checked, in query order.
    // filter_terms: terms every match has (the title terms): candidates are the documents
    //   that have them all, and only those are checked.
    // Positions from lo to hi, inclusive, are considered.
    RangePhraseSource(std::vector<std::string> position_terms, std::vector<std::string> filter_terms,
                      bool ordered, Xapian::termcount window, Xapian::termpos lo, Xapian::termpos hi);

    void init(const Xapian::Database& db) override;
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return est_; }
    Xapian::doccount get_termfreq_max() const override { return max_; }
    void next(double min_wt) override;
    void skip_to(Xapian::docid did, double min_wt) override;
    bool at_end() const override { return at_end_; }
    Xapian::docid get_docid() const override { return did_; }
    Xapian::PostingSource* clone() const override;
    std::string name() const override { return "depeche::RangePhraseSource"; }
    std::string get_description() const override;

private:
    // From the filter iterators' current positions, the first candidate at or after
    // `from` that passes the position check.
    void settle(Xapian::docid from);
    bool candidate_matches(Xapian::docid did);

    std::vector<std::string> position_terms_, filter_terms_;
    bool ordered_;
    Xapian::termcount window_;
    Xapian::termpos lo_, hi_;

    Xapian::Database db_;
    std::vector<Xapian::PostingIterator> its_;  // one per filter term, rarest first
    Xapian::PostingIterator end_;
    Xapian::docid did_ = 0;
    bool at_end_ = true;
    bool started_ = false;
    Xapian::doccount est_ = 0, max_ = 0;
    std::vector<std::vector<Xapian::termpos>> lists_;  // reused between documents
};

}  // namespace depeche

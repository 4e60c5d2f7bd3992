// Xapian's phrase and NEAR test on position lists, for the fields whose phrases are
// matched outside Xapian: the distinct values of author and source (Indexing::
// WordsAndValue, searcher/query_parser.cpp). Title phrases use Xapian's own operators
// since schema 6.
#pragma once

#include <vector>
#include <xapian.h>

namespace depeche {

// Whether one position from each list (lists[i] for the i-th word, ascending) can be
// chosen so that the words appear in order (ordered) or in any order at distinct
// positions, with last - first < window. This is the test of Xapian's OP_PHRASE and
// OP_NEAR for a given document.
bool positions_match(const std::vector<std::vector<Xapian::termpos>>& lists, bool ordered, Xapian::termcount window);

}  // namespace depeche

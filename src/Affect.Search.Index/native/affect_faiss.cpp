// affect_faiss: a small extern "C" shim over Faiss (1.7.3, Debian's libfaiss-dev, linked statically)
// for Affect.Search.Index.Vectors.FaissIndex. Built by FaissShim.targets:
//
//   g++ -O2 -fPIC -shared affect_faiss.cpp -o libaffect_faiss.so -l:libfaiss.a -fopenmp -lopenblas -llapack
//
// Every index uses METRIC_INNER_PRODUCT and no IDMap: a vector's label is its position (0, 1, 2, ...).
// Every exported function catches all C++ exceptions and returns a status (AF_OK = 0, else an error
// code); the message of the last failure on the calling thread is returned by affect_faiss_last_error().
//
// What Faiss 1.7.3 does with SearchParameters::sel (IDSelectorBitmap) -- checked by experiment against
// this exact library (and by reading the 1.7.3 sources):
//
//   * IndexFlat (IndexFlatIP): honoured. The scan skips non-members; the answer is the exact top-k of
//     the allowed set, padded with label -1 when fewer than k are allowed.
//   * IndexScalarQuantizer (SQ8): honoured the same way (exact over the allowed, decoded vectors).
//   * IndexHNSW* (HNSWFlat, HNSWSQ): a plain SearchParameters throws "params type invalid"; it needs
//     SearchParametersHNSW. With that, sel is applied *inside* the graph walk: non-members are still
//     traversed (so they do not disconnect the graph) but never enter the result heap, so no disallowed
//     position is ever returned. However
//       - the walk's candidate queue is sized by the index member hnsw.efSearch, NOT by
//         SearchParametersHNSW::efSearch (that one only feeds the stopping test), so per-call efSearch
//         is effectively ignored unless the shared member is mutated (a data race under concurrent
//         searches), and
//       - the walk is bounded by ef candidates, allowed or not, so with a selective filter it ends
//         early, with poor or too few allowed results. Measured on 20k random unit vectors (d=32,
//         M=16, k=20, hnsw.efSearch set so that ef takes effect), recall against the exact filtered
//         answer: 10 % allowed 0.73 at ef=64, 0.98 at ef=256; 1 % allowed: only 68 % of the result
//         slots filled at ef=64, all filled but recall 0.77 at ef=256; 0.1 % allowed: 22 % of the slots
//         filled at ef=256 and 51 % at ef=1024. With 50 % allowed, recall at ef=64 was 0.91 (0.95
//         unfiltered).
//
// Hence this shim runs the HNSW search itself (hnsw_search / hnsw_search_one below: the same algorithm as Faiss
// 1.7.3's HNSW::search with upper_beam == 1 and a bounded queue, reading the public HNSW structures)
// so that efSearch is a per-call argument (thread-safe, no shared state is mutated), and it offers an
// exact scan over an explicit list of positions (affect_faiss_search_subset). The C# side
// (FaissIndex.Search) combines them: for HNSW with a filter it searches the graph with the selector
// and an efSearch raised by 1/selectivity, scans the allowed positions exactly when there are few of
// them (cheaper than the walk) and re-does exactly every row that came back short of min(k, allowed).
// On the same 20k vectors, this walk with ef = 64/selectivity gave recall 0.97 (50 % allowed, ef 128),
// 0.998 (10 %, ef 640), 1.0 (1 %, ef 4096); with 0.1 % allowed 11 % of the slots stayed empty even at
// ef 4096 -- such sets are far below the exact-scan threshold anyway.

#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/DistanceComputer.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/HNSW.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <faiss/utils/Heap.h>

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace {

using idx_t = faiss::Index::idx_t;

enum Status : int {
    AF_OK = 0,
    AF_FAISS_ERROR = 1,    // faiss::FaissException
    AF_INVALID_ARGUMENT = 2,
    AF_OUT_OF_MEMORY = 3,
    AF_OTHER_ERROR = 4,    // any other std::exception or unknown exception
};

// Kinds, in the order of the C# enum VectorIndexKind.
enum Kind : int { KIND_FLAT = 0, KIND_HNSW = 1, KIND_FLAT_SQ8 = 2, KIND_HNSW_SQ8 = 3 };

thread_local std::string last_error;

struct InvalidArgument : std::exception {
    std::string message;
    explicit InvalidArgument(std::string m) : message(std::move(m)) {}
    const char* what() const noexcept override { return message.c_str(); }
};

template <class F>
int guarded(F&& body) noexcept {
    try {
        body();
        last_error.clear();
        return AF_OK;
    } catch (const faiss::FaissException& e) {
        last_error = e.what();
        return AF_FAISS_ERROR;
    } catch (const InvalidArgument& e) {
        last_error = e.what();
        return AF_INVALID_ARGUMENT;
    } catch (const std::bad_alloc&) {
        last_error = "out of memory";
        return AF_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        last_error = e.what();
        return AF_OTHER_ERROR;
    } catch (...) {
        last_error = "unknown C++ exception";
        return AF_OTHER_ERROR;
    }
}

void require(bool ok, const char* message) {
    if (!ok) throw InvalidArgument(message);
}

struct Handle {
    std::unique_ptr<faiss::Index> index;
    int kind = KIND_FLAT;
    faiss::IndexHNSW* hnsw = nullptr; // non-null for the HNSW kinds (points into index)
};

Handle* as_handle(void* h) {
    require(h != nullptr, "null index handle");
    return static_cast<Handle*>(h);
}

// Classifies an index read from disk (or made by the factory); throws for anything this shim does
// not produce.
void classify(Handle& h) {
    faiss::Index* index = h.index.get();
    require(index->metric_type == faiss::METRIC_INNER_PRODUCT, "index metric is not inner product");
    auto is_sq8 = [](const faiss::Index* i) {
        auto* sq = dynamic_cast<const faiss::IndexScalarQuantizer*>(i);
        return sq != nullptr && sq->sq.qtype == faiss::ScalarQuantizer::QT_8bit;
    };
    if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index)) {
        require(hnsw->storage != nullptr, "HNSW index without storage");
        require(hnsw->hnsw.upper_beam == 1, "HNSW index with upper_beam != 1 is not supported");
        if (dynamic_cast<const faiss::IndexFlat*>(hnsw->storage) != nullptr)
            h.kind = KIND_HNSW;
        else if (is_sq8(hnsw->storage))
            h.kind = KIND_HNSW_SQ8;
        else
            throw InvalidArgument("HNSW index over an unsupported storage (expected Flat or SQ8)");
        h.hnsw = hnsw;
    } else if (dynamic_cast<const faiss::IndexFlat*>(index) != nullptr) {
        h.kind = KIND_FLAT;
    } else if (is_sq8(index)) {
        h.kind = KIND_FLAT_SQ8;
    } else {
        throw InvalidArgument("unsupported index type (expected Flat, SQ8, HNSW or HNSW_SQ8)");
    }
}

// Inner products are similarities; the HNSW walk minimises, so it sees their negation (as Faiss's own
// storage_distance_computer does).
struct NegatedDistance : faiss::DistanceComputer {
    std::unique_ptr<faiss::DistanceComputer> base;
    explicit NegatedDistance(faiss::DistanceComputer* b) : base(b) {}
    void set_query(const float* x) override { base->set_query(x); }
    float operator()(idx_t i) override { return -(*base)(i); }
    float symmetric_dis(idx_t i, idx_t j) override { return -base->symmetric_dis(i, j); }
};

// One visited table per thread, reused across searches (Faiss allocates ntotal bytes per search).
// advance() after every query keeps it valid for any index no larger than it.
faiss::VisitedTable& visited_table(idx_t ntotal) {
    thread_local std::unique_ptr<faiss::VisitedTable> table;
    if (!table || (idx_t)table->visited.size() < ntotal) table.reset(new faiss::VisitedTable((int)std::max<idx_t>(ntotal, 1)));
    return *table;
}

struct AdvanceOnExit {
    faiss::VisitedTable& vt;
    ~AdvanceOnExit() { vt.advance(); }
};

void greedy_update_nearest(const faiss::HNSW& hnsw, faiss::DistanceComputer& qdis, int level,
                           faiss::HNSW::storage_idx_t& nearest, float& d_nearest) {
    for (;;) {
        faiss::HNSW::storage_idx_t previous = nearest;
        size_t begin, end;
        hnsw.neighbor_range(nearest, level, &begin, &end);
        for (size_t i = begin; i < end; i++) {
            faiss::HNSW::storage_idx_t v = hnsw.neighbors[i];
            if (v < 0) break;
            float d = qdis(v);
            if (d < d_nearest) {
                nearest = v;
                d_nearest = d;
            }
        }
        if (nearest == previous) return;
    }
}

// One query: Faiss 1.7.3's HNSW::search (upper_beam == 1, bounded queue, check_relative_distance)
// with the queue sized max(ef, k) from the argument and the selector applied as Faiss applies it.
// D/I: a max-heap (distance = -inner product) growing to k entries; returns how many it holds.
int hnsw_search_one(const faiss::HNSW& hnsw, faiss::DistanceComputer& qdis, int k, int ef,
                     const faiss::IDSelector* sel, idx_t* I, float* D, faiss::VisitedTable& vt) {
    if (hnsw.entry_point < 0) return 0;
    faiss::HNSW::storage_idx_t nearest = hnsw.entry_point;
    float d_nearest = qdis(nearest);
    for (int level = hnsw.max_level; level >= 1; level--) greedy_update_nearest(hnsw, qdis, level, nearest, d_nearest);

    int queue = std::max(ef, k);
    faiss::HNSW::MinimaxHeap candidates(queue);
    candidates.push(nearest, d_nearest);

    int nres = 0;
    auto offer = [&](idx_t v, float d) {
        if (sel != nullptr && !sel->is_member(v)) return;
        if (nres < k)
            faiss::maxheap_push(++nres, D, I, d, v);
        else if (d < D[0])
            faiss::maxheap_replace_top(nres, D, I, d, v);
    };
    for (int i = 0; i < candidates.size(); i++) {
        offer(candidates.ids[i], candidates.dis[i]);
        vt.set(candidates.ids[i]);
    }
    while (candidates.size() > 0) {
        float d0 = 0;
        int v0 = candidates.pop_min(&d0);
        // Stop when more than ef already-queued candidates are closer than the one being expanded.
        if (candidates.count_below(d0) >= queue) break;
        size_t begin, end;
        hnsw.neighbor_range(v0, 0, &begin, &end);
        for (size_t j = begin; j < end; j++) {
            int v1 = hnsw.neighbors[j];
            if (v1 < 0) break;
            if (vt.get(v1)) continue;
            vt.set(v1);
            float d = qdis(v1);
            offer(v1, d);
            candidates.push(v1, d);
        }
    }
    return nres;
}

// Runs body(q, thread_state) for q in [0, nq), on all OpenMP threads when nq > 1, and rethrows the first
// exception on the calling thread (exceptions must not leave an OpenMP region).
template <class MakeState, class Body>
void parallel_queries(idx_t nq, MakeState make_state, Body body) {
    std::exception_ptr error;
#pragma omp parallel if (nq > 1)
    {
        decltype(make_state()) state;
        bool ok = true;
        try {
            state = make_state();
        } catch (...) {
            ok = false;
#pragma omp critical(affect_faiss_error)
            if (!error) error = std::current_exception();
        }
#pragma omp for schedule(dynamic, 4)
        for (idx_t q = 0; q < nq; q++) {
            if (!ok) continue;
            try {
                body(q, state);
            } catch (...) {
                ok = false;
#pragma omp critical(affect_faiss_error)
                if (!error) error = std::current_exception();
            }
        }
    }
    if (error) std::rethrow_exception(error);
}

// Rows of negated similarities sorted ascending -> similarities descending; empty slots (label -1) get
// -infinity (Faiss leaves -FLT_MAX or +FLT_MAX there depending on the path).
void finish_rows(idx_t nq, idx_t k, float* D, idx_t* I) {
    for (idx_t i = 0; i < nq * k; i++) D[i] = I[i] < 0 ? -INFINITY : -D[i];
}

void hnsw_search(const Handle& h, idx_t nq, const float* x, idx_t k, int ef, const faiss::IDSelector* sel,
                 float* D, idx_t* I) {
    const faiss::IndexHNSW& index = *h.hnsw;
    const idx_t d = index.d;
    const idx_t ntotal = index.ntotal;
    struct State {
        std::unique_ptr<NegatedDistance> dis;
        faiss::VisitedTable* vt = nullptr;
    };
    parallel_queries(
            nq,
            [&] {
                State s;
                s.dis.reset(new NegatedDistance(index.storage->get_distance_computer()));
                s.vt = &visited_table(ntotal);
                return s;
            },
            [&](idx_t q, State& s) {
                idx_t* Iq = I + q * k;
                float* Dq = D + q * k;
                faiss::maxheap_heapify(k, Dq, Iq);
                s.dis->set_query(x + q * d);
                int nres;
                {
                    AdvanceOnExit advance{*s.vt};
                    nres = hnsw_search_one(index.hnsw, *s.dis, (int)k, ef, sel, Iq, Dq, *s.vt);
                }
                // The first nres slots are a heap, the rest still hold heapify's (+FLT_MAX, -1).
                faiss::maxheap_reorder(nres, Dq, Iq);
            });
    finish_rows(nq, k, D, I);
}

void subset_search(const Handle& h, idx_t nq, const float* x, idx_t k, const idx_t* ids, idx_t nids, float* D,
                   idx_t* I) {
    const faiss::Index* storage = h.hnsw != nullptr ? h.hnsw->storage : h.index.get();
    const idx_t d = storage->d;
    const idx_t ntotal = storage->ntotal;
    for (idx_t i = 0; i < nids; i++) require(ids[i] >= 0 && ids[i] < ntotal, "subset position out of range");
    parallel_queries(
            nq,
            [&] { return std::unique_ptr<NegatedDistance>(new NegatedDistance(storage->get_distance_computer())); },
            [&](idx_t q, std::unique_ptr<NegatedDistance>& dis) {
                idx_t* Iq = I + q * k;
                float* Dq = D + q * k;
                faiss::maxheap_heapify(k, Dq, Iq);
                dis->set_query(x + q * d);
                for (idx_t i = 0; i < nids; i++) {
                    float dist = (*dis)(ids[i]);
                    if (dist < Dq[0]) faiss::maxheap_replace_top(k, Dq, Iq, dist, ids[i]);
                }
                faiss::maxheap_reorder(k, Dq, Iq); // a full k-heap throughout; moves the -1 slots last
            });
    finish_rows(nq, k, D, I);
}

size_t codes_bytes(const faiss::Index* index) {
    if (auto* codes = dynamic_cast<const faiss::IndexFlatCodes*>(index)) return codes->codes.size();
    return 0;
}

} // namespace

extern "C" {

/// The message of the last failed call on this thread ("" after a successful call).
const char* affect_faiss_last_error(void) { return last_error.c_str(); }

/// Makes an empty index. kind: 0 flat, 1 HNSW, 2 flat SQ8, 3 HNSW SQ8; hnsw_m / ef_construction are
/// used by the HNSW kinds.
int affect_faiss_create(int dimension, int kind, int hnsw_m, int ef_construction, void** out) {
    return guarded([&] {
        require(out != nullptr, "null output pointer");
        *out = nullptr;
        require(dimension > 0, "dimension must be positive");
        std::string key;
        switch (kind) {
            case KIND_FLAT: key = "Flat"; break;
            case KIND_FLAT_SQ8: key = "SQ8"; break;
            case KIND_HNSW: key = "HNSW" + std::to_string(hnsw_m); break;
            case KIND_HNSW_SQ8: key = "HNSW" + std::to_string(hnsw_m) + "_SQ8"; break;
            default: throw InvalidArgument("unknown index kind");
        }
        if (kind == KIND_HNSW || kind == KIND_HNSW_SQ8) {
            require(hnsw_m >= 2 && hnsw_m <= 512, "HNSW links (M) must be in [2, 512]");
            require(ef_construction >= 1, "HNSW efConstruction must be positive");
        }
        std::unique_ptr<Handle> h(new Handle());
        h->index.reset(faiss::index_factory(dimension, key.c_str(), faiss::METRIC_INNER_PRODUCT));
        classify(*h);
        if (h->hnsw != nullptr) {
            h->hnsw->hnsw.efConstruction = ef_construction;
        }
        *out = h.release();
    });
}

/// Reads an index written by affect_faiss_write (or any Faiss index of a supported kind).
int affect_faiss_read(const char* path, void** out) {
    return guarded([&] {
        require(out != nullptr, "null output pointer");
        *out = nullptr;
        require(path != nullptr, "null path");
        std::unique_ptr<Handle> h(new Handle());
        h->index.reset(faiss::read_index(path));
        classify(*h);
        *out = h.release();
    });
}

int affect_faiss_write(void* handle, const char* path) {
    return guarded([&] {
        Handle* h = as_handle(handle);
        require(path != nullptr, "null path");
        faiss::write_index(h->index.get(), path);
    });
}

void affect_faiss_free(void* handle) { delete static_cast<Handle*>(handle); }

/// kind (as in affect_faiss_create), dimension, count, HNSW links (0 for the flat kinds), trained flag.
int affect_faiss_info(void* handle, int* kind, int* dimension, int64_t* ntotal, int* hnsw_m, int* is_trained) {
    return guarded([&] {
        Handle* h = as_handle(handle);
        if (kind) *kind = h->kind;
        if (dimension) *dimension = h->index->d;
        if (ntotal) *ntotal = h->index->ntotal;
        if (hnsw_m) *hnsw_m = h->hnsw != nullptr ? h->hnsw->hnsw.nb_neighbors(1) : 0;
        if (is_trained) *is_trained = h->index->is_trained ? 1 : 0;
    });
}

int affect_faiss_ntotal(void* handle, int64_t* ntotal) {
    return guarded([&] {
        require(ntotal != nullptr, "null output pointer");
        *ntotal = as_handle(handle)->index->ntotal;
    });
}

/// Trains the scalar quantiser (per-dimension min/max of x); a no-op for the float kinds.
int affect_faiss_train(void* handle, int64_t n, const float* x) {
    return guarded([&] {
        Handle* h = as_handle(handle);
        require(n > 0 && x != nullptr, "training needs at least one vector");
        h->index->train(n, x);
    });
}

int affect_faiss_add(void* handle, int64_t n, const float* x) {
    return guarded([&] {
        Handle* h = as_handle(handle);
        require(n >= 0, "negative count");
        if (n == 0) return;
        require(x != nullptr, "null vectors");
        require(h->index->is_trained, "the index is not trained");
        if (h->hnsw != nullptr)
            require(h->index->ntotal + n <= (int64_t)INT32_MAX, "HNSW indexes hold at most 2^31-1 vectors");
        h->index->add(n, x);
    });
}

/// Top-k by inner product for nq row-major queries into D/I (nq*k each, rows sorted by descending score;
/// missing results are label -1, score -inf). ef_search is used by the HNSW kinds (raised to k).
/// bitmap (optional): bit p (bitmap[p/8] >> (p%8) & 1) says whether position p may be returned;
/// bitmap_bytes is its length (positions beyond it are not allowed).
int affect_faiss_search(void* handle, int64_t nq, const float* x, int64_t k, int ef_search, const uint8_t* bitmap,
                        int64_t bitmap_bytes, float* D, int64_t* I) {
    return guarded([&] {
        Handle* h = as_handle(handle);
        require(nq >= 0, "negative query count");
        require(k > 0 && k <= INT32_MAX, "k must be in [1, 2^31)");
        if (nq == 0) return;
        require(x != nullptr && D != nullptr && I != nullptr, "null buffer");
        require(bitmap == nullptr || bitmap_bytes >= 0, "negative bitmap length");
        std::unique_ptr<faiss::IDSelectorBitmap> sel;
        if (bitmap != nullptr) sel.reset(new faiss::IDSelectorBitmap((size_t)bitmap_bytes, bitmap));
        if (h->hnsw != nullptr) {
            require(ef_search > 0, "efSearch must be positive");
            hnsw_search(*h, nq, x, k, ef_search, sel.get(), D, I);
            return;
        }
        faiss::SearchParameters params;
        params.sel = sel.get();
        h->index->search(nq, x, k, D, I, sel ? &params : nullptr);
        for (int64_t i = 0; i < nq * k; i++)
            if (I[i] < 0) D[i] = -INFINITY;
    });
}

/// Exact top-k over the listed positions only (any kind; quantised kinds score the decoded vectors).
int affect_faiss_search_subset(void* handle, int64_t nq, const float* x, int64_t k, const int64_t* ids,
                               int64_t nids, float* D, int64_t* I) {
    return guarded([&] {
        Handle* h = as_handle(handle);
        require(nq >= 0 && nids >= 0, "negative count");
        require(k > 0 && k <= INT32_MAX, "k must be in [1, 2^31)");
        if (nq == 0) return;
        require(x != nullptr && D != nullptr && I != nullptr && (ids != nullptr || nids == 0), "null buffer");
        subset_search(*h, nq, x, k, ids, nids, D, I);
    });
}

int affect_faiss_reconstruct(void* handle, int64_t position, float* out) {
    return guarded([&] {
        Handle* h = as_handle(handle);
        require(out != nullptr, "null output");
        require(position >= 0 && position < h->index->ntotal, "position out of range");
        h->index->reconstruct(position, out);
    });
}

/// Bytes used by the index's main arrays (vector codes, HNSW links, offsets and levels): their sizes, not
/// their capacities (std::vector growth leaves untouched, hence non-resident, capacity behind them).
int affect_faiss_memory_bytes(void* handle, int64_t* bytes) {
    return guarded([&] {
        require(bytes != nullptr, "null output pointer");
        Handle* h = as_handle(handle);
        size_t total = codes_bytes(h->index.get());
        if (h->hnsw != nullptr) {
            const faiss::HNSW& g = h->hnsw->hnsw;
            total += codes_bytes(h->hnsw->storage);
            total += g.neighbors.size() * sizeof(g.neighbors[0]);
            total += g.offsets.size() * sizeof(g.offsets[0]);
            total += g.levels.size() * sizeof(g.levels[0]);
        }
        *bytes = (int64_t)total;
    });
}

/// The number of OpenMP threads a batch search uses.
int affect_faiss_max_threads(void) { return omp_get_max_threads(); }

} // extern "C"

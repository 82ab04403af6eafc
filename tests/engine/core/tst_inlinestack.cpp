// The stack with its first elements in place (engine/src/core/inlinestack.h): a task's K. A unit
// test of the core subsystem's internals, so it sees its private headers. Every element here
// counts itself, so a frame moved twice, dropped or destroyed twice shows as a wrong count.

#include "inlinestack.h"

#include <QtTest>

#include <memory>
#include <span>
#include <vector>

using namespace doeff::detail;

namespace {

/// An element that owns something (as a frame owns its coroutine) and counts the live ones.
struct Owned {
    static inline int live = 0;
    std::unique_ptr<int> value;
    explicit Owned(int v)
        : value(std::make_unique<int>(v))
    {
        ++live;
    }
    Owned(Owned&& other) noexcept
        : value(std::move(other.value))
    {
        ++live;
    }
    Owned& operator=(Owned&& other) noexcept
    {
        value = std::move(other.value);
        return *this;
    }
    ~Owned() { --live; }
    int get() const { return value ? *value : -1; }
};

std::vector<int> valuesOf(std::span<const Owned> s)
{
    std::vector<int> out;
    for (const Owned& o : s)
        out.push_back(o.get());
    return out;
}

} // namespace

class TestInlineStack : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { Owned::live = 0; }

    void theFirstElementsStayInPlace()
    {
        InlineStack<Owned, 2> s;
        QVERIFY(s.empty());
        QVERIFY(s.isInline());
        s.push_back(Owned(1));
        s.push_back(Owned(2));
        QVERIFY(s.isInline());
        QCOMPARE(s.size(), std::size_t(2));
        QCOMPARE(s.front().get(), 1);
        QCOMPARE(s.back().get(), 2);
        // the elements are inside the object: nothing was allocated for them
        const auto* object = reinterpret_cast<const unsigned char*>(&s);
        const auto* first = reinterpret_cast<const unsigned char*>(s.data());
        QVERIFY(first >= object && first < object + sizeof(s));
        QCOMPARE(Owned::live, 2);
    }

    void growingMovesEveryElementOnceAndKeepsTheirOrder()
    {
        InlineStack<Owned, 2> s;
        for (int i = 1; i <= 9; ++i)
            s.push_back(Owned(i));
        QVERIFY(!s.isInline());
        QVERIFY(s.capacity() >= 9);
        QCOMPARE(valuesOf(s), (std::vector<int> { 1, 2, 3, 4, 5, 6, 7, 8, 9 }));
        QCOMPARE(Owned::live, 9); // the moved-from ones were destroyed, each once
        std::vector<int> reversed;
        for (auto it = s.crbegin(); it != s.crend(); ++it)
            reversed.push_back(it->get());
        QCOMPARE(reversed, (std::vector<int> { 9, 8, 7, 6, 5, 4, 3, 2, 1 }));
    }

    void takeBackMovesTheTopOut()
    {
        InlineStack<Owned, 2> s;
        s.push_back(Owned(1));
        s.push_back(Owned(2));
        s.push_back(Owned(3));
        Owned top = s.takeBack();
        QCOMPARE(top.get(), 3);
        QCOMPARE(s.size(), std::size_t(2));
        QCOMPARE(s.back().get(), 2);
        QCOMPARE(Owned::live, 3); // two on the stack, one taken
    }

    void eraseToTheTopDestroysTheCutElements()
    {
        InlineStack<Owned, 2> s;
        for (int i = 1; i <= 5; ++i)
            s.push_back(Owned(i));
        s.erase(s.begin() + 2, s.end());
        QCOMPARE(valuesOf(s), (std::vector<int> { 1, 2 }));
        QCOMPARE(Owned::live, 2);
        s.push_back(Owned(6)); // room kept: no move back in place
        QVERIFY(!s.isInline());
        QCOMPARE(valuesOf(s), (std::vector<int> { 1, 2, 6 }));
    }

    void releaseEmptiesAndGoesBackInPlace()
    {
        InlineStack<Owned, 2> s;
        for (int i = 1; i <= 4; ++i)
            s.push_back(Owned(i));
        s.release();
        QVERIFY(s.empty());
        QVERIFY(s.isInline());
        QCOMPARE(s.capacity(), std::size_t(2));
        QCOMPARE(Owned::live, 0);
        s.push_back(Owned(7)); // usable again, in place
        QVERIFY(s.isInline());
        QCOMPARE(s.back().get(), 7);
    }

    void reserveGrowsOnlyWhenAsked()
    {
        InlineStack<Owned, 2> s;
        s.reserve(2);
        QVERIFY(s.isInline());
        s.push_back(Owned(1));
        s.reserve(5);
        QVERIFY(!s.isInline());
        QCOMPARE(s.capacity(), std::size_t(5));
        QCOMPARE(s.front().get(), 1);
    }

    void destroyingTheStackDestroysItsElements()
    {
        {
            InlineStack<Owned, 2> inPlace;
            inPlace.push_back(Owned(1));
            InlineStack<Owned, 2> inPool;
            for (int i = 0; i < 3; ++i)
                inPool.push_back(Owned(i));
            QCOMPARE(Owned::live, 4);
        }
        QCOMPARE(Owned::live, 0);
    }
};

QTEST_GUILESS_MAIN(TestInlineStack)
#include "tst_inlinestack.moc"

// The pool of small blocks (engine/src/core/pool.h): coroutine frames and a coroutine handler's
// records. A unit test of the core subsystem's internals, so it sees its private headers.

#include "pool.h"

#include <QtTest>

#include <cstdint>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace doeff::detail;

class TestPool : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aFreedBlockServesTheNextRequestOfItsClass()
    {
        void* a = poolAllocate(200);
        poolFree(a, 200);
        void* b = poolAllocate(190); // blocks of 200 bytes serve both
        QCOMPARE(b, a);
        poolFree(b, 190);
    }

    void aBlockOfAnotherClassIsNotTaken()
    {
        void* a = poolAllocate(200);
        poolFree(a, 200);
        void* b = poolAllocate(201); // the next class: blocks of 216 bytes
        QVERIFY(b != a);
        void* c = poolAllocate(200);
        QCOMPARE(c, a);
        poolFree(c, 200);
        poolFree(b, 201);
    }

    void blocksAreAlignedForAnyObject()
    {
        // coroutine frames hold whatever their programs keep
        for (std::size_t size : { 8, 24, 40, 152, 248, 1000, 5000 }) {
            void* p = poolAllocate(size);
            QCOMPARE(reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t), std::uintptr_t(0));
            poolFree(p, size);
        }
    }

    void aBlockFillsOneMallocChunkExactly()
    {
        // glibc keeps a word before each block and rounds the two up to 16 bytes: a block of
        // 16·c − 8 bytes is a chunk with nothing to spare, the smallest that holds the size.
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
        for (std::size_t size : { 24, 100, 152, 160, 248, 256, 1000 }) { // glibc's smallest chunk holds 24
            void* p = poolAllocate(size);
            const std::size_t usable = malloc_usable_size(p);
            QVERIFY2(usable >= size, qPrintable(QStringLiteral("size %1: usable %2").arg(size).arg(usable)));
            QVERIFY2(usable < size + 16, qPrintable(QStringLiteral("size %1: usable %2").arg(size).arg(usable)));
            QCOMPARE(usable % 16, std::size_t(8));
            poolFree(p, size);
        }
#else
        QSKIP("malloc's chunks are glibc's (the sanitizers' allocators round their own way)");
#endif
    }

    void aBlockMayBeFreedOnAnotherThread()
    {
        // a program made on one thread and run on another is destroyed there
        void* p = poolAllocate(152);
        std::thread([p] { poolFree(p, 152); }).join();
        void* q = poolAllocate(152);
        QVERIFY(q != nullptr);
        poolFree(q, 152);
    }
};

QTEST_GUILESS_MAIN(TestPool)
#include "tst_pool.moc"

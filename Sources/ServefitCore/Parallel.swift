import Foundation

/// Results of work run on every core (`DispatchQueue.concurrentPerform`): each iteration writes
/// only its own slot, so no lock is needed; read `all` after the run.
final class ParallelSlots<T>: @unchecked Sendable {
    private var slots: [T]
    init(_ n: Int, _ initial: T) { slots = Array(repeating: initial, count: n) }
    func set(_ k: Int, _ value: T) { slots.withUnsafeMutableBufferPointer { $0[k] = value } }
    var all: [T] { slots }

    /// `body(i)` for i in 0..<n on every core, results in order.
    static func map(_ n: Int, _ initial: T, _ body: @Sendable (Int) -> T) -> [T] {
        let s = ParallelSlots(n, initial)
        DispatchQueue.concurrentPerform(iterations: n) { s.set($0, body($0)) }
        return s.all
    }
}

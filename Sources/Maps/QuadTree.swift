/// A point-region quadtree over a 2-D layout for Barnes–Hut sums: each cell holds its
/// points' count and centre of mass. Built by recursive partition, so building is
/// O(n log n) and a cell's points are contiguous in `order`.
struct QuadTree {
  struct Cell {
    var width: Float
    var massX: Float
    var massY: Float
    var count: Int32
    /// First of four children, or −1 for a leaf.
    var firstChild: Int32
    /// The point of a one-point leaf, else −1.
    var point: Int32
  }

  private(set) var cells: [Cell] = []
  /// Deeper than this, coincident points stay together in one leaf.
  static let maximumDepth = 32

  init(layout: UnsafeBufferPointer<Float>, count n: Int) {
    guard n > 0 else { return }
    var minX = Float.infinity
    var minY = Float.infinity
    var maxX = -Float.infinity
    var maxY = -Float.infinity
    for i in 0..<n {
      minX = min(minX, layout[2 * i])
      maxX = max(maxX, layout[2 * i])
      minY = min(minY, layout[2 * i + 1])
      maxY = max(maxY, layout[2 * i + 1])
    }
    let width = max(maxX - minX, maxY - minY, 1e-12) * (1 + 1e-5)
    var order = (0..<n).map { Int32($0) }
    var scratch = order
    cells.reserveCapacity(2 * n)
    cells.append(Cell(width: width, massX: 0, massY: 0, count: 0, firstChild: -1, point: -1))
    order.withUnsafeMutableBufferPointer { order in
      scratch.withUnsafeMutableBufferPointer { scratch in
        build(
          cell: 0, x: minX, y: minY, width: width, range: 0..<n, depth: 0, layout: layout,
          order: order, scratch: scratch)
      }
    }
  }

  private mutating func build(
    cell: Int, x: Float, y: Float, width: Float, range: Range<Int>, depth: Int,
    layout: UnsafeBufferPointer<Float>, order: UnsafeMutableBufferPointer<Int32>,
    scratch: UnsafeMutableBufferPointer<Int32>
  ) {
    var sumX: Float = 0
    var sumY: Float = 0
    for slot in range {
      let p = Int(order[slot])
      sumX += layout[2 * p]
      sumY += layout[2 * p + 1]
    }
    let count = Float(range.count)
    cells[cell].massX = sumX / count
    cells[cell].massY = sumY / count
    cells[cell].count = Int32(range.count)
    if range.count == 1 { cells[cell].point = order[range.lowerBound] }
    guard range.count > 1, depth < Self.maximumDepth else { return }
    // Partition the cell's points into its quadrants (SW, SE, NW, NE) through `scratch`.
    let half = width / 2
    let (midX, midY) = (x + half, y + half)
    // Points that coincide at the finest useful scale stay together as one leaf.
    if width < 1e-6 { return }
    var bounds = (0, 0, 0, 0, 0)
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 9) { b in
      // b[0...4]: quadrant boundaries; b[5...8]: write cursors.
      for q in 0..<9 { b[q] = 0 }
      for slot in range {
        let p = Int(order[slot])
        b[quadrant(layout[2 * p], layout[2 * p + 1], midX, midY) + 1] += 1
      }
      b[0] = range.lowerBound
      for q in 1...4 { b[q] += b[q - 1] }
      for q in 0..<4 { b[5 + q] = b[q] }
      for slot in range {
        let p = Int(order[slot])
        let q = quadrant(layout[2 * p], layout[2 * p + 1], midX, midY)
        scratch[b[5 + q]] = order[slot]
        b[5 + q] += 1
      }
      bounds = (b[0], b[1], b[2], b[3], b[4])
    }
    for slot in range { order[slot] = scratch[slot] }
    let first = cells.count
    cells[cell].firstChild = Int32(first)
    for _ in 0..<4 {
      cells.append(Cell(width: half, massX: 0, massY: 0, count: 0, firstChild: -1, point: -1))
    }
    let edges = [bounds.0, bounds.1, bounds.2, bounds.3, bounds.4]
    for q in 0..<4 where edges[q + 1] > edges[q] {
      build(
        cell: first + q, x: q % 2 == 0 ? x : midX, y: q < 2 ? y : midY, width: half,
        range: edges[q]..<edges[q + 1], depth: depth + 1, layout: layout, order: order,
        scratch: scratch)
    }
  }

  @inline(__always)
  private func quadrant(_ px: Float, _ py: Float, _ midX: Float, _ midY: Float) -> Int {
    (px < midX ? 0 : 1) + (py < midY ? 0 : 2)
  }

  /// The Barnes–Hut repulsion on a point at (x, y): Σ q and Σ q²·(p − y) over every point
  /// of the tree (Student-t q = 1 / (1 + d²)), treating a cell narrower than θ times its
  /// distance as one mass. Point `skip` (the point itself) is left out.
  func repulsion(
    x: Float, y: Float, skip: Int32, theta: Float, stack: inout [Int32]
  ) -> (sumQ: Float, forceX: Float, forceY: Float) {
    guard !cells.isEmpty else { return (0, 0, 0) }
    var sumQ: Float = 0
    var fx: Float = 0
    var fy: Float = 0
    let theta2 = theta * theta
    stack.removeAll(keepingCapacity: true)
    stack.append(0)
    cells.withUnsafeBufferPointer { cells in
      while let index = stack.popLast() {
        let cell = cells[Int(index)]
        if cell.count == 0 || cell.point == skip { continue }
        let dx = x - cell.massX
        let dy = y - cell.massY
        let d2 = dx * dx + dy * dy
        if cell.firstChild < 0 || cell.width * cell.width < theta2 * d2 {
          // A multi-point leaf that holds the point itself counts the others only.
          var mass = Float(cell.count)
          if cell.firstChild < 0 && cell.count > 1 && d2 == 0 && skip >= 0 { mass -= 1 }
          let q = 1 / (1 + d2)
          sumQ += mass * q
          let m = mass * q * q
          fx += m * dx
          fy += m * dy
        } else {
          for c in 0..<4 { stack.append(cell.firstChild + Int32(c)) }
        }
      }
    }
    return (sumQ, fx, fy)
  }
}

/// Index access that answers nil outside the array (request paths and bodies index with values from outside).
extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// Compression of a batch's records section.
func compressRecords(_ bytes: [UInt8], _ codec: RecordCompression) throws -> [UInt8] {
    throw KafkaError.compression("codec \(codec) not yet available")
}

func decompressRecords(_ bytes: UnsafeRawBufferPointer, _ codec: RecordCompression) throws -> [UInt8] {
    throw KafkaError.compression("codec \(codec) not yet available")
}

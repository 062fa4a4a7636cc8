import ServefitCore
import GRDB
public enum StoreProbe { public static var count: Int { EmbeddedFiles.all.count } }

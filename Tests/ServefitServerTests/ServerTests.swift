import HummingbirdTesting
import Testing
@testable import ServefitServer

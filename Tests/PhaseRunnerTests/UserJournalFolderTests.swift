import Foundation
import PhaseRunner
import Testing

@Suite struct UserJournalFolderTests {
    @Test func homeComesFromTheEnvironmentFirst() {
        let url = UserJournalFolder.journal(
            kind: "admin", address: "0xabc", chainID: 1337, environment: ["HOME": "/srv/cer"])
        #expect(url.path == "/srv/cer/.cer-run/admin/1337/0xabc.jsonl")
    }

    @Test func anEmptyOrRelativeHomeFallsBackToTheAccount() {
        let account = FileManager.default.homeDirectoryForCurrentUser.path
        for environment in [[:], ["HOME": ""], ["HOME": "relative/dir"]] {
            let home = UserJournalFolder.home(environment: environment).path
            #expect(home == account, "HOME=\(environment["HOME"] ?? "unset")")
        }
    }
}

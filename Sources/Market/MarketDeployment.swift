import BigInt
import Chain

/// Deploys the market: the settlement token (a dev `CommunityToken` unless an existing token is
/// given) and the `Marketplace`, with the deployer as admin and `operatorAddress` as operator.
public struct MarketDeployment: Sendable {
    public let token: TokenContract
    public let marketplace: MarketplaceContract
    public let receipts: [Receipt]

    public static func deploy(
        artifacts: ArtifactStore, deployer: TransactionSender, operatorAddress: Address, existingToken: Address? = nil,
        tokenName: String = "CER Euro", tokenSymbol: String = "CEUR"
    ) async throws -> MarketDeployment {
        var receipts = [Receipt]()
        let tokenContract: Contract
        if let existingToken {
            tokenContract = Contract(
                address: existingToken, abi: try artifacts.artifact("CommunityToken").abi, client: deployer.client)
        } else {
            let (deployed, receipt) = try await deployer.deploy(
                try artifacts.artifact("CommunityToken"), arguments: [.string(tokenName), .string(tokenSymbol)])
            tokenContract = deployed
            receipts.append(receipt)
        }
        let (market, receipt) = try await deployer.deploy(
            try artifacts.artifact("Marketplace"),
            arguments: [.address(tokenContract.address), .address(operatorAddress)])
        receipts.append(receipt)
        return MarketDeployment(
            token: TokenContract(contract: tokenContract), marketplace: MarketplaceContract(contract: market),
            receipts: receipts)
    }
}

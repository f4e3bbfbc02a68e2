// An Octokit auth strategy fed by an installation session's token source: every request
// carries the session's current token, and a request answered 401 (the token was revoked
// or expired early) is sent once more with a newly minted one.
import { type GitHubClient, statusOf } from "./client.js";
import type { InstallationToken } from "./installation-token.js";

type Request = GitHubClient["request"];

export function sessionAuthStrategy({ token }: { token: InstallationToken }) {
  const auth = async () => ({ type: "token", tokenType: "installation", token: await token() });
  const hook = async (
    request: Request,
    route: Parameters<Request>[0],
    parameters?: Parameters<Request>[1],
  ) => {
    const endpoint = request.endpoint.merge(route as string, parameters);
    const send = (value: string) =>
      request({
        ...endpoint,
        url: endpoint.url!,
        headers: { ...endpoint.headers, authorization: `token ${value}` },
      });
    const first = await token();
    try {
      return await send(first);
    } catch (err) {
      if (statusOf(err) !== 401) throw err;
      return send(await token({ refused: first }));
    }
  };
  return Object.assign(auth, { hook });
}

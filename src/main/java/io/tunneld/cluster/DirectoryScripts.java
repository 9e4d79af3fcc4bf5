package io.tunneld.cluster;

/**
 * The Lua scripts that change the cluster directory in Redis, each one atomic. Every key
 * shares the hash tag of {@code KEYS[1]} (the key prefix, such as {@code {tunneld}}), so the
 * scripts run unchanged on standalone Redis, Sentinel and Redis Cluster (one slot).
 *
 * <p>Layout: {@code P:routes} (hash, route key to {@link RouteEntry} JSON), {@code P:sessions}
 * (hash, ClientId to {@link SessionEntry} JSON), {@code P:affinity:ID} (hash with
 * the principal {@code p}, random hosts {@code h} and TCP ports {@code t} the id held,
 * space-separated, newest last; no expiry while the session lives), {@code P:replica:ID}
 * (the replica's address, expiring with its lease), {@code P:members} (set of replica ids),
 * {@code P:version} (counts changes) and the pub/sub channel {@code P:events}, which carries
 * every change as one line, after its version. A session
 * is one instance ({@code g}) of its ClientId: a session replaced under the same id, even on
 * the same replica, can no longer end its successor or free its routes.
 */
final class DirectoryScripts {

    private DirectoryScripts() {
    }

    /**
     * Shared by every script: a replica is alive while its lease key exists; every change is
     * announced with the directory's next version, so that a replica can tell which
     * announcements a whole read already contains.
     */
    private static final String PRELUDE = """
            local P = KEYS[1]
            local function alive(r) return redis.call('EXISTS', P .. ':replica:' .. r) == 1 end
            local function publish(line)
              redis.call('PUBLISH', P .. ':events', redis.call('INCR', P .. ':version') .. ' ' .. line)
            end
            """;

    /**
     * ARGV: clientId, principal, replica, instance. The id is refused ({'taken'}) when a live session
     * or the remembered owner of the id is another principal. Otherwise the session is this
     * replica's (a live one elsewhere learns it from the event and closes), its memory stops
     * expiring, and the reply is {'ok', hosts, ports}.
     */
    static final RedisScript OPEN_SESSION = new RedisScript(PRELUDE + """
            local sessions = P .. ':sessions'
            local memory = P .. ':affinity:' .. ARGV[1]
            local cur = redis.call('HGET', sessions, ARGV[1])
            if cur then
              local s = cjson.decode(cur)
              if s.p ~= ARGV[2] and alive(s.r) then return {'taken'} end
            end
            local owner = redis.call('HGET', memory, 'p')
            if owner and owner ~= ARGV[2] then
              if not cur or cjson.decode(cur).p ~= ARGV[2] then return {'taken'} end
              owner = false
            end
            local entry = cjson.encode({r = ARGV[3], p = ARGV[2], g = ARGV[4]})
            redis.call('HSET', sessions, ARGV[1], entry)
            publish('S+ ' .. ARGV[1] .. ' ' .. entry)
            if not owner then
              redis.call('DEL', memory)
              redis.call('HSET', memory, 'p', ARGV[2])
            end
            redis.call('PERSIST', memory)
            return {'ok', redis.call('HGET', memory, 'h') or '', redis.call('HGET', memory, 't') or ''}
            """);

    /**
     * ARGV: clientId, instance, memory TTL in ms. Ends the session if that instance still
     * has the id; its memory of URLs starts expiring from now.
     */
    static final RedisScript CLOSE_SESSION = new RedisScript(PRELUDE + """
            local sessions = P .. ':sessions'
            local cur = redis.call('HGET', sessions, ARGV[1])
            local s = cur and cjson.decode(cur)
            if s and s.g == ARGV[2] then
              redis.call('HDEL', sessions, ARGV[1])
              publish('S- ' .. ARGV[1] .. ' ' .. s.r)
              redis.call('PEXPIRE', P .. ':affinity:' .. ARGV[1], ARGV[3])
            end
            return 0
            """);

    /**
     * ARGV: instance, clientId, principal, then route key and entry JSON pairs. All or none:
     * returns 0 when every route is now the session's, the 1-based index of the first route a
     * live session of someone else holds, or -1 when that instance no longer has the id. A route of the same session (a client that reconnected elsewhere) is taken
     * over at once; one held by a dead replica is free.
     */
    static final RedisScript CLAIM_ROUTES = new RedisScript(PRELUDE + """
            local routes = P .. ':routes'
            local session = redis.call('HGET', P .. ':sessions', ARGV[2])
            if not session or cjson.decode(session).g ~= ARGV[1] then return -1 end
            for i = 4, #ARGV, 2 do
              local cur = redis.call('HGET', routes, ARGV[i])
              if cur then
                local e = cjson.decode(cur)
                if (e.c ~= ARGV[2] or e.p ~= ARGV[3]) and alive(e.r) then return (i - 2) / 2 end
              end
            end
            for i = 4, #ARGV, 2 do
              redis.call('HSET', routes, ARGV[i], ARGV[i + 1])
              publish('R+ ' .. ARGV[i] .. ' ' .. ARGV[i + 1])
            end
            return 0
            """);

    /** ARGV: instance, then route keys: frees those that session instance still holds. */
    static final RedisScript RELEASE_ROUTES = new RedisScript(PRELUDE + """
            local routes = P .. ':routes'
            for i = 2, #ARGV do
              local cur = redis.call('HGET', routes, ARGV[i])
              if cur then
                local e = cjson.decode(cur)
                if e.g == ARGV[1] then
                  redis.call('HDEL', routes, ARGV[i])
                  publish('R- ' .. ARGV[i] .. ' ' .. e.r)
                end
              end
            end
            return 0
            """);

    /**
     * ARGV: clientId, principal, field ('h' hosts or 't' ports), value, how many to keep.
     * Remembers a random host or TCP port the id held, newest last.
     */
    static final RedisScript REMEMBER = new RedisScript(PRELUDE + """
            local memory = P .. ':affinity:' .. ARGV[1]
            if redis.call('HGET', memory, 'p') ~= ARGV[2] then return 0 end
            local kept = {}
            for v in string.gmatch(redis.call('HGET', memory, ARGV[3]) or '', '%S+') do
              if v ~= ARGV[4] then table.insert(kept, v) end
            end
            table.insert(kept, ARGV[4])
            local from = math.max(1, #kept - tonumber(ARGV[5]) + 1)
            redis.call('HSET', memory, ARGV[3], table.concat(kept, ' ', from, #kept))
            return 1
            """);

    /**
     * ARGV: replica, address, lease in ms. Renews the replica's lease; returns 1 if it was
     * still there, 0 if it had lapsed or Redis lost it (the replica then puts its state back).
     */
    static final RedisScript RENEW = new RedisScript(PRELUDE + """
            local key = P .. ':replica:' .. ARGV[1]
            local existed = redis.call('EXISTS', key)
            redis.call('SET', key, ARGV[2], 'PX', ARGV[3])
            if redis.call('SADD', P .. ':members', ARGV[1]) == 1 then
              publish('M+ ' .. ARGV[1] .. ' ' .. ARGV[2])
            end
            return existed
            """);

    /**
     * ARGV: memory TTL in ms. Forgets replicas whose lease lapsed: their routes and sessions
     * go, and their sessions' memories start expiring. Returns how many replicas went.
     */
    static final RedisScript REAP = new RedisScript(PRELUDE + """
            local members = P .. ':members'
            local dead, count = {}, 0
            for _, id in ipairs(redis.call('SMEMBERS', members)) do
              if not alive(id) then
                dead[id] = true
                count = count + 1
                redis.call('SREM', members, id)
                publish('M- ' .. id)
              end
            end
            if count == 0 then return 0 end
            local routes = P .. ':routes'
            local all = redis.call('HGETALL', routes)
            for i = 1, #all, 2 do
              local e = cjson.decode(all[i + 1])
              if dead[e.r] then
                redis.call('HDEL', routes, all[i])
                publish('R- ' .. all[i] .. ' ' .. e.r)
              end
            end
            local sessions = P .. ':sessions'
            all = redis.call('HGETALL', sessions)
            for i = 1, #all, 2 do
              local s = cjson.decode(all[i + 1])
              if dead[s.r] then
                redis.call('HDEL', sessions, all[i])
                redis.call('PEXPIRE', P .. ':affinity:' .. all[i], ARGV[1])
                publish('S- ' .. all[i] .. ' ' .. s.r)
              end
            end
            return count
            """);

    /**
     * No ARGV. The whole directory at one version: {version, routes (flat hash), sessions
     * (flat hash), members (id, address pairs of replicas whose lease is current)}.
     */
    static final RedisScript SNAPSHOT = new RedisScript(PRELUDE + """
            local members = {}
            for _, id in ipairs(redis.call('SMEMBERS', P .. ':members')) do
              local address = redis.call('GET', P .. ':replica:' .. id)
              if address then
                table.insert(members, id)
                table.insert(members, address)
              end
            end
            return {tonumber(redis.call('GET', P .. ':version') or '0'),
                    redis.call('HGETALL', P .. ':routes'), redis.call('HGETALL', P .. ':sessions'), members}
            """);

    /** ARGV: replica. Leaves the cluster at once (a graceful stop), so nobody waits for the lease. */
    static final RedisScript LEAVE = new RedisScript(PRELUDE + """
            redis.call('DEL', P .. ':replica:' .. ARGV[1])
            return 0
            """);
}

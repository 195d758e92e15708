package dev.postern.server.admin;

/**
 * What {@code --admin} and its flags asked for.
 *
 * @param token       the token that actions need, or null: then every action is refused
 * @param allowRemote whether clients other than loopback ones may use the page and API
 */
public record AdminSettings(AdminToken token, boolean allowRemote) {
}

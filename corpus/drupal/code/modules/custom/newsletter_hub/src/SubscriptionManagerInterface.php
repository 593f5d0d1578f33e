<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub;

/**
 * Reads and changes newsletter subscriptions.
 *
 * A subscriber is an associative array with the keys id, mail, uid,
 * langcode, status and created, as stored in newsletter_hub_subscriber.
 */
interface SubscriptionManagerInterface {

  /**
   * Subscribed and waiting for the address to be confirmed.
   */
  public const PENDING = 0;

  /**
   * The address was confirmed; issues are delivered to it.
   */
  public const CONFIRMED = 1;

  /**
   * Adds a subscription, or returns the existing one for the address.
   *
   * @return array
   *   The subscriber.
   */
  public function subscribe(string $mail, string $langcode, int $uid = 0, int $status = self::PENDING): array;

  /**
   * Marks a subscription as confirmed.
   */
  public function confirm(int $id): void;

  /**
   * Removes a subscription.
   */
  public function unsubscribe(int $id): void;

  /**
   * Loads a subscriber by ID.
   */
  public function load(int $id): ?array;

  /**
   * Loads a subscriber by email address.
   */
  public function loadByMail(string $mail): ?array;

  /**
   * Returns the IDs of all confirmed subscribers, in ascending order.
   *
   * @return int[]
   *   The subscriber IDs.
   */
  public function confirmedIds(): array;

}

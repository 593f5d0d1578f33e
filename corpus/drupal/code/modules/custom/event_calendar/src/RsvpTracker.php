<?php

declare(strict_types=1);

namespace Drupal\event_calendar;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\KeyValueStore\KeyValueFactoryInterface;
use Drupal\Core\KeyValueStore\KeyValueStoreInterface;
use Drupal\Core\Session\AccountInterface;
use Drupal\node\NodeInterface;

/**
 * Records which users registered for which event, and how many guests.
 */
class RsvpTracker {

  public function __construct(
    protected readonly KeyValueFactoryInterface $keyValueFactory,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * Registers an account for an event, replacing an earlier registration.
   */
  public function register(NodeInterface $event, AccountInterface $account, int $guests = 0): void {
    $this->store($event)->set((string) $account->id(), [
      'guests' => max(0, $guests),
      'created' => $this->time->getRequestTime(),
    ]);
  }

  /**
   * Removes the registration of an account, if it has one.
   */
  public function cancel(NodeInterface $event, AccountInterface $account): void {
    $this->store($event)->delete((string) $account->id());
  }

  /**
   * Tells whether an account is registered for an event.
   */
  public function isRegistered(NodeInterface $event, AccountInterface $account): bool {
    return $this->store($event)->has((string) $account->id());
  }

  /**
   * Returns the registrations of an event keyed by user ID.
   *
   * @return array<int, array{guests: int, created: int}>
   *   Each registration's guest count and creation time.
   */
  public function registrations(NodeInterface $event): array {
    $all = $this->store($event)->getAll();
    ksort($all);
    return $all;
  }

  /**
   * Counts the people expected at an event, guests included.
   */
  public function headcount(NodeInterface $event): int {
    return array_sum(array_map(
      static fn (array $rsvp): int => 1 + $rsvp['guests'],
      $this->registrations($event),
    ));
  }

  /**
   * Returns the key/value collection that holds one event's registrations.
   */
  protected function store(NodeInterface $event): KeyValueStoreInterface {
    return $this->keyValueFactory->get('event_calendar.rsvp.' . $event->id());
  }

}

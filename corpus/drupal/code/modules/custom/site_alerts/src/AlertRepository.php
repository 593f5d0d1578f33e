<?php

declare(strict_types=1);

namespace Drupal\site_alerts;

use Drupal\Core\Cache\CacheTagsInvalidatorInterface;
use Drupal\Core\KeyValueStore\KeyValueFactoryInterface;
use Drupal\Core\KeyValueStore\KeyValueStoreInterface;

/**
 * Keeps site alerts in a key/value collection and invalidates their cache tag.
 */
final class AlertRepository implements AlertRepositoryInterface {

  /**
   * The key/value collection holding the alerts.
   */
  private readonly KeyValueStoreInterface $store;

  public function __construct(
    KeyValueFactoryInterface $keyValueFactory,
    private readonly CacheTagsInvalidatorInterface $cacheTagsInvalidator,
  ) {
    $this->store = $keyValueFactory->get('site_alerts');
  }

  /**
   * {@inheritdoc}
   */
  public function save(SiteAlert $alert): void {
    $this->store->set($alert->id, $alert->toArray());
    $this->cacheTagsInvalidator->invalidateTags([self::CACHE_TAG]);
  }

  /**
   * {@inheritdoc}
   */
  public function load(string $id): ?SiteAlert {
    $values = $this->store->get($id);
    return is_array($values) ? SiteAlert::fromArray($values) : NULL;
  }

  /**
   * {@inheritdoc}
   */
  public function loadAll(): array {
    $alerts = array_map(
      static fn (array $values): SiteAlert => SiteAlert::fromArray($values),
      $this->store->getAll(),
    );
    uasort($alerts, static fn (SiteAlert $a, SiteAlert $b): int => $a->startsAt <=> $b->startsAt);
    return $alerts;
  }

  /**
   * {@inheritdoc}
   */
  public function remove(string $id): void {
    $this->store->delete($id);
    $this->cacheTagsInvalidator->invalidateTags([self::CACHE_TAG]);
  }

}

<?php

declare(strict_types=1);

namespace Drupal\recipe_box;

use Drupal\Core\Cache\CacheTagsInvalidatorInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Session\AccountInterface;
use Drupal\node\NodeInterface;
use Drupal\user\UserDataInterface;

/**
 * Stores each user's favorite recipes in the user data table.
 */
class FavoritesManager {

  public function __construct(
    protected readonly UserDataInterface $userData,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly CacheTagsInvalidatorInterface $cacheTagsInvalidator,
  ) {}

  /**
   * Returns the node IDs a user marked as favorite, newest first.
   *
   * @return int[]
   *   The recipe node IDs.
   */
  public function ids(AccountInterface $account): array {
    return $this->userData->get('recipe_box', (int) $account->id(), 'favorites') ?? [];
  }

  /**
   * Loads the favorite recipes of a user that still exist.
   *
   * @return \Drupal\node\NodeInterface[]
   *   The recipes, keyed by node ID.
   */
  public function load(AccountInterface $account): array {
    $ids = $this->ids($account);
    return $ids ? $this->entityTypeManager->getStorage('node')->loadMultiple($ids) : [];
  }

  /**
   * Tells whether a recipe is among a user's favorites.
   */
  public function isFavorite(AccountInterface $account, NodeInterface $recipe): bool {
    return in_array((int) $recipe->id(), $this->ids($account), TRUE);
  }

  /**
   * Adds a recipe to the favorites or removes it, whichever applies.
   *
   * @return bool
   *   TRUE when the recipe is a favorite afterwards.
   */
  public function toggle(AccountInterface $account, NodeInterface $recipe): bool {
    $ids = $this->ids($account);
    $nid = (int) $recipe->id();
    $added = !in_array($nid, $ids, TRUE);
    $ids = $added ? [$nid, ...$ids] : array_values(array_diff($ids, [$nid]));
    $this->userData->set('recipe_box', (int) $account->id(), 'favorites', $ids);
    $this->cacheTagsInvalidator->invalidateTags(['recipe_box_favorites:' . $account->id()]);
    return $added;
  }

}
